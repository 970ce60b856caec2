"""Malformed feeds keep what parsed and say what did not; hostile text is data, kept as
written for the TUI to show literally, never turned into something that runs."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from personae.networks.base import Source
from personae.networks.feeds import FeedNetwork, parse_feed
from personae.networks.sync import SyncEngine
from personae.store import Persona, Store
from tests.networks.feeds.documents import Entry, cookies, rss2
from tests.support.feed_server import FeedServer, Reply

BROKEN = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Half</title>'
    b"<item><guid>a</guid><title>first</title><description>fine</description></item>"
    b"<item><guid>b</guid><title>second &nbsp; & <unclosed></title></item>"
    b"<item><guid>c</guid><title>third</title></item>"
)


def test_a_malformed_feed_keeps_what_parsed_and_reports_the_rest(
    server: FeedServer, network: FeedNetwork
) -> None:
    url = server.serve("/broken", Reply(body=BROKEN))
    result = network.fetch(Source(url=url))
    assert [item.remote_id for item in result.items] == ["a", "b", "c"]
    assert result.items[0].text == "fine"
    assert len(result.warnings) == 1
    warning = result.warnings[0]
    assert warning.startswith("the feed is not well-formed (")
    assert warning.endswith("; kept the 3 items that parsed")
    assert "\n" not in warning


def test_a_malformed_feed_through_sync_stores_its_items_and_records_the_warning(
    store: Store, work: Persona, server: FeedServer, engine: SyncEngine
) -> None:
    url = server.serve("/broken", Reply(body=BROKEN))
    feed = store.feeds.add(work, url)
    report = engine.run(work.id, publish=False)
    assert report.fetched == {f"Work: {url}": 3}
    stored = store.feeds.get(feed.id)
    assert stored.state == "active"
    assert stored.last_error.startswith("the feed is not well-formed")
    server.serve("/broken", Reply(body=rss2(cookies(1))))  # fixed by its author
    engine.run(work.id, publish=False)
    assert store.feeds.get(feed.id).last_error == ""


def test_a_wrong_content_type_alone_is_not_a_warning(
    server: FeedServer, network: FeedNetwork
) -> None:
    """Servers label feeds text/plain or text/html all the time; the feed itself is fine."""
    url = server.serve("/feed", Reply(body=rss2(cookies(2)), content_type="text/plain"))
    result = network.fetch(Source(url=url))
    assert len(result.items) == 2 and result.warnings == []


HOSTILE = [
    "[@click=app.quit]Quit[/] [bold red]loud[/]",  # Textual/Rich markup
    "\x1b[2J\x1b[31mred\x1b[0m \x1b]8;;https://evil.example\x07link\x1b]8;;\x07",  # ANSI, OSC 8
    "\u202egnp.exe\u202c and \u200bzero width",  # bidi override, zero-width space
    "'; DROP TABLE items; --",
    "{{7*7}} ${jndi:ldap://x} %s %n",
    "🍪" * 300,
]


def test_hostile_titles_and_text_come_back_as_the_same_data(
    store: Store, work: Persona, server: FeedServer, network: FeedNetwork
) -> None:
    """Markup and escape sequences are not interpreted here: the item holds them as text,
    and they survive the encrypted store unchanged, for the TUI to show literally."""
    entries = [
        Entry(title=text, html=f"<p>{text}</p>", guid=f"h{n}", author=text)
        for n, text in enumerate(HOSTILE)
    ]
    url = server.serve("/evil", Reply(body=rss2(entries)))
    result = network.fetch(Source(url=url))
    assert [item.title for item in result.items] == [" ".join(t.split()) for t in HOSTILE]
    assert [item.text for item in result.items] == HOSTILE
    feed = store.feeds.add(work, url)
    store.timeline.add(work.id, "feed", feed.id, result.items)
    stored = {item.remote_id: item for item in store.timeline.newest(work.id)}
    for n, text in enumerate(HOSTILE):
        assert stored[f"h{n}"].text == text
        assert stored[f"h{n}"].author == " ".join(text.split())


def test_control_characters_the_xml_forbids_are_kept_as_data(
    server: FeedServer, network: FeedNetwork
) -> None:
    """ESC, BEL, NUL and DEL make a feed ill-formed; its items are still read and the
    characters stay where they were (the display removes them, consistently, later)."""
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>c</title>'
        b"<item><guid>g</guid><title>a\x1b[31mb\x07c\x00d\x7fe</title>"
        b"<description>x\x1by</description></item></channel></rss>"
    )
    url = server.serve("/ctl", Reply(body=body))
    result = network.fetch(Source(url=url))
    assert [(i.title, i.text) for i in result.items] == [("a\x1b[31mb\x07c\x00d\x7fe", "x\x1by")]


def test_an_escaped_script_is_text_and_a_real_one_is_dropped(
    server: FeedServer, network: FeedNetwork
) -> None:
    html = "&lt;script&gt;alert(1)&lt;/script&gt; <script>alert(2)</script>after"
    url = server.serve("/feed", Reply(body=rss2([Entry(title="t", guid="g", html=html)])))
    assert network.fetch(Source(url=url)).items[0].text == "<script>alert(1)</script> after"


XML_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="\x00\ufffe\uffff",
    ),
    max_size=200,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(title=XML_TEXT, body=XML_TEXT, guid=XML_TEXT)
def test_any_text_in_a_feed_parses_without_error_and_keeps_a_stable_id(
    title: str, body: str, guid: str
) -> None:
    """Whatever characters a publisher puts in title, body and guid: no exception but a
    NetworkError, and the item's id is non-empty and the same on a second parse."""
    document = rss2([Entry(title=title, html=body, guid=guid, link="https://e.org/x")])
    first = parse_feed(document, "https://example.org/feed")
    second = parse_feed(document, "https://example.org/feed")
    assert len(first.items) == 1
    assert first.items[0].remote_id and first.items == second.items
