"""HTML from feeds reduced to plain text: what a terminal can show, and nothing it could run.

Feeds carry HTML of every quality, so this is a tolerant reduction with regular expressions
rather than a parse: a parser costs several times more on a 10,000-item feed, and the result
is only ever shown as literal text. Scripts, styles and comments go with their content;
paragraphs, line breaks and list items become newlines; a link keeps its text and, when the
text does not already say it, its web address in brackets; other tags vanish and keep their
text; entities are decoded last, so an escaped ``&lt;b&gt;`` stays the literal text ``<b>``.
"""

from __future__ import annotations

import re
from html import unescape

# Elements whose content is never text a reader should see. An unclosed one runs to the end,
# as it does in a browser.
_HIDDEN = re.compile(
    r"<(script|style|template|noscript|iframe|object|svg|math|head|title)\b[^<>]*+>"
    r".*?(?:</\1\s*>|\Z)"
    r"|<!--.*?(?:-->|\Z)",
    re.IGNORECASE | re.DOTALL,
)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)(?:\]\]>|\Z)", re.DOTALL)
_BREAK = re.compile(r"<br\b[^<>]*+>", re.IGNORECASE)
_LIST_ITEM = re.compile(r"<li\b[^<>]*+>", re.IGNORECASE)
_BLOCK = re.compile(
    r"</?(?:p|div|h[1-6]|blockquote|pre|ul|ol|dl|dt|dd|table|tr|hr|section|article|header"
    r"|footer|aside|nav|figure|figcaption|address|details|summary|main|form|fieldset)\b[^<>]*+>",
    re.IGNORECASE,
)
# Any other tag, quoted attribute values included (they may hold a ">"), matched from a
# "<" that starts one; the loose form catches tags whose quotes never close. Tags are
# removed by _strip_tags, which stops at the first "<" with no ">" after it: a regex
# substitution would rescan to the end from every "<" of a hostile "<a<a<a...".
_TAG_START = re.compile(r"<[a-zA-Z/!?]")
_TAG = re.compile(r"<[a-zA-Z/!?](?:\"[^\"]*\"|'[^']*'|[^'\">])*+>")
_LOOSE_TAG = re.compile(r"<[a-zA-Z/!?][^>]*+>")
# A link's attributes and its text, which stops at the next link's start or end; no
# unquoted "<" in the attributes, so that each try ends at the next tag.
_ANCHOR = re.compile(
    r"""<a\s((?:"[^"]*"|'[^']*'|[^'"<>])*+)>((?:[^<]|<(?!/?a[\s>]))*+)</a\s*>""",
    re.IGNORECASE,
)
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
# Runs of white space other than a lone " ": replacing every single space by itself
# would be the costliest step of the reduction.
_SPACES = re.compile(r"[\t\r\n\f\v][ \t\r\n\f\v]*| [ \t\r\n\f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def html_to_text(html: str) -> str:
    """The readable text of an HTML fragment."""
    if "<" not in html:
        # Plain text with entities at most: the common case for titles and short summaries.
        return _SPACES.sub(" ", unescape(html) if "&" in html else html).strip()
    text = _HIDDEN.sub("", html)
    text = _CDATA.sub(r"\1", text)
    if "<a" in text or "<A" in text:
        text = _ANCHOR.sub(_readable_link, text)
    text = _SPACES.sub(" ", text)  # source line breaks are spaces in HTML
    text = _BREAK.sub("\n", text)
    text = _LIST_ITEM.sub("\n• ", text)
    text = _BLOCK.sub("\n\n", text)
    text = _strip_tags(text)
    if "&" in text:
        text = unescape(text)
    # Line by line, not by a regex: "[ ]*\n" would rescan a long run of spaces from each one.
    text = "\n".join(line.strip(" \t\xa0") for line in text.split("\n"))
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def _strip_tags(html: str) -> str:
    """``html`` without its tags, in one pass."""
    kept, position = [], 0
    while (start := _TAG_START.search(html, position)) is not None:
        at = start.start()
        tag = _TAG.match(html, at) or _LOOSE_TAG.match(html, at)
        if tag is None:
            break  # no ">" anywhere after: nothing further on can be a tag either
        kept.append(html[position:at])
        position = tag.end()
    kept.append(html[position:])
    return "".join(kept)


def _readable_link(match: re.Match[str]) -> str:
    """A link's text, followed by its address when the text does not show it (a terminal
    cannot follow a hidden link). Only web addresses are shown; the address stays escaped
    as written, since entities are decoded once, at the end."""
    attributes, inner = match.groups()
    found = _HREF.search(attributes)
    href = next((group for group in found.groups() if group is not None), "") if found else ""
    href = href.strip()
    if not href.lower().startswith(("http://", "https://")):
        return inner
    shown = unescape(_strip_tags(inner)).strip()
    address = unescape(href)
    if shown.startswith(("@", "#")):
        return inner  # a mention or a hashtag: its address adds nothing a reader needs
    if shown and (shown in address or address in shown):
        return inner
    return f"{inner} ({href})" if shown else href


def plain_text(text: str) -> str:
    """Text a feed declared as plain: kept as written, with tidy line ends."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()
