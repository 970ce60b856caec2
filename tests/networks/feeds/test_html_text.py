"""HTML from feeds becomes plain text a terminal can show literally: readable, with nothing
left that could run or be interpreted."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from personae.networks.base import Source
from personae.networks.feeds import FeedNetwork
from personae.networks.html_text import html_to_text, plain_text
from tests.networks.feeds.documents import Entry, atom, rss2
from tests.support.feed_server import FeedServer, Reply

TAG = re.compile(r"<[a-zA-Z/!?][^>]*>")


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Hello <script>alert(1)</script>world</p>", "Hello world"),
        ("<style>p { color: red }</style><p>styled</p>", "styled"),
        ("<!-- a comment --><p>shown</p>", "shown"),
        ("<p>kept</p><script>never closed <p>gone", "kept"),
        ("<noscript>x</noscript><iframe src=x>y</iframe><svg><text>z</text></svg>ok", "ok"),
        ("<img src=x onerror=alert(1)>after the picture", "after the picture"),
        ('<a href="x" title="a>b">quoted &gt; in an attribute</a>', "quoted > in an attribute"),
    ],
)
def test_scripts_styles_comments_and_tags_are_dropped(html: str, text: str) -> None:
    assert html_to_text(html) == text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("caf&eacute; &#8217;s &#x1F36A;", "café ’s 🍪"),
        ("&lt;b&gt;not bold&lt;/b&gt;", "<b>not bold</b>"),  # escaped markup is text
        ("&amp;lt;script&amp;gt;", "&lt;script&gt;"),  # decoded once, not twice
        ("3 < 5 and 6 > 2", "3 < 5 and 6 > 2"),
    ],
)
def test_entities_are_decoded_exactly_once(html: str, text: str) -> None:
    assert html_to_text(html) == text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        (
            'see <a href="https://example.org/r?a=1&amp;b=2">the recipe</a> now',
            "see the recipe (https://example.org/r?a=1&b=2) now",
        ),
        ('<a href="https://example.org/">https://example.org/</a>', "https://example.org/"),
        ('<a href="https://example.org/">example.org</a>', "example.org"),
        ('<a href="javascript:alert(1)">click</a>', "click"),
        ('<a href="/relative">relative</a>', "relative"),
        ("<a href='https://e.org/x'><img src=x></a>", "https://e.org/x"),
        (  # Mastodon's mentions and hashtags
            '<a href="https://social.example/@ada" class="u-url mention">@<span>ada</span></a> '
            '<a href="https://social.example/tags/cookies" class="hashtag">'
            "#<span>cookies</span></a>",
            "@ada #cookies",
        ),
        (  # Mastodon's shortened links: the full address is the text
            '<a href="https://example.org/a/long/path"><span class="invisible">https://</span>'
            '<span class="ellipsis">example.org/a/lo</span>'
            '<span class="invisible">ng/path</span></a>',
            "https://example.org/a/long/path",
        ),
    ],
)
def test_links_keep_their_text_and_show_web_addresses_the_text_hides(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_paragraphs_breaks_and_lists_become_lines() -> None:
    html = "<h2>Title</h2><p>one\n  two</p><p>three<br/>four</p><ul><li>a</li><li>b</li></ul>"
    assert html_to_text(html) == "Title\n\none two\n\nthree\nfour\n\n• a\n• b"


def test_plain_text_keeps_its_markup_like_characters() -> None:
    assert plain_text("  <b>literally</b>\r\nline two\r  ") == "<b>literally</b>\nline two"


@given(st.text())
def test_any_text_reduces_without_error_to_text_without_tags(html: str) -> None:
    """Whatever a feed sends, the reduction ends; tags it finds are gone, not half-kept."""
    text = html_to_text(html)
    assert isinstance(text, str)
    if "&" not in html:  # an escaped "&lt;b&gt;" is legitimately the text "<b>"
        assert not TAG.search(text)


@given(st.lists(st.sampled_from(["<p>", "</p>", "<b", ">", "<!--", "-->", "x", "&amp;"])))
def test_fragments_of_tags_never_leave_a_tag_behind(parts: list[str]) -> None:
    assert not TAG.search(html_to_text("".join(parts)).replace("&", ""))


def test_a_feeds_html_arrives_as_plain_text(server: FeedServer, network: FeedNetwork) -> None:
    html = (
        "<div><h1>Recipe</h1><p>Mix <b>butter</b> &amp; sugar.<script>steal()</script></p>"
        '<p>Details on <a href="https://example.org/r">our site</a>.</p></div>'
    )
    url = server.serve("/feed", Reply(body=rss2([Entry(title="<i>New</i> recipe", html=html)])))
    item = network.fetch(Source(url=url)).items[0]
    assert item.title == "New recipe"
    assert (
        item.text == "Recipe\n\nMix butter & sugar.\n\nDetails on our site (https://example.org/r)."
    )


def test_atom_text_content_is_kept_as_written(server: FeedServer, network: FeedNetwork) -> None:
    """Atom says whether content is text or HTML: declared text keeps its angle brackets."""
    body = atom([Entry(title="t", guid="urn:x", html="x")]).replace(
        b'<content type="html">x</content>', b'<content type="text">a &lt;b&gt; c</content>'
    )
    url = server.serve("/atom", Reply(body=body, content_type="application/atom+xml"))
    assert network.fetch(Source(url=url)).items[0].text == "a <b> c"


@pytest.mark.parametrize(
    "piece",
    ["<a", '<a "', "<p x='", "<a href='", '<a "x> ', "<b ", "<li", "<br", "<script x", "<!--"],
)
def test_hostile_html_is_reduced_in_linear_time(piece: str) -> None:
    """Unclosed tags and quotes repeated 50,000 times: a backtracking pattern would take
    minutes (one rescan to the end from every "<"); the reduction takes well under a second."""
    import time

    html = piece * 50_000 + " " * 100_000 + "end"
    started = time.perf_counter()
    text = html_to_text(html)
    assert time.perf_counter() - started < 2.0
    # An unclosed comment hides the rest, as in a browser; everything else ends in "end".
    assert text.endswith("end") or (piece == "<!--" and text == "")
