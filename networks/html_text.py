"""HTML from feeds reduced to plain text: what a terminal can show, and nothing it could run.

Feeds carry HTML of every quality, so this is a tolerant reduction with regular expressions
rather than a parse: a parser costs several times more on a 10,000-item feed, and the result
is only ever shown as literal text. Scripts, styles and comments go with their content;
paragraphs, line breaks and list items become newlines; other tags vanish and keep their
text; entities are decoded last, so an escaped ``&lt;b&gt;`` stays the literal text ``<b>``.
"""

from __future__ import annotations

import re
from html import unescape

# Elements whose content is never text a reader should see. An unclosed one runs to the end,
# as it does in a browser.
_HIDDEN = re.compile(
    r"<(script|style|template|noscript|iframe|object|svg|math|head|title)\b[^>]*>"
    r".*?(?:</\1\s*>|\Z)"
    r"|<!--.*?(?:-->|\Z)",
    re.IGNORECASE | re.DOTALL,
)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)(?:\]\]>|\Z)", re.DOTALL)
_BREAK = re.compile(r"<br\b[^>]*>", re.IGNORECASE)
_LIST_ITEM = re.compile(r"<li\b[^>]*>", re.IGNORECASE)
_BLOCK = re.compile(
    r"</?(?:p|div|h[1-6]|blockquote|pre|ul|ol|dl|dt|dd|table|tr|hr|section|article|header"
    r"|footer|aside|nav|figure|figcaption|address|details|summary|main|form|fieldset)\b[^>]*>",
    re.IGNORECASE,
)
# Any other tag, quoted attribute values included (they may hold a ">"); the second branch
# catches tags whose quotes never close.
_TAG = re.compile(r"<[a-zA-Z/!?](?:\"[^\"]*\"|'[^']*'|[^'\">])*>|<[a-zA-Z/!?][^>]*>")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_AROUND_NEWLINE = re.compile(r"[ \t\xa0]*\n[ \t\xa0]*")
_BLANK_LINES = re.compile(r"\n{3,}")


def html_to_text(html: str) -> str:
    """The readable text of an HTML fragment."""
    if "<" not in html:
        # Plain text with entities at most: the common case for titles and short summaries.
        return _SPACES.sub(" ", unescape(html) if "&" in html else html).strip()
    text = _HIDDEN.sub("", html)
    text = _CDATA.sub(r"\1", text)
    text = _SPACES.sub(" ", text)  # source line breaks are spaces in HTML
    text = _BREAK.sub("\n", text)
    text = _LIST_ITEM.sub("\n• ", text)
    text = _BLOCK.sub("\n\n", text)
    text = _TAG.sub("", text)
    if "&" in text:
        text = unescape(text)
    text = _AROUND_NEWLINE.sub("\n", text)
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def plain_text(text: str) -> str:
    """Text a feed declared as plain: kept as written, with tidy line ends."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()
