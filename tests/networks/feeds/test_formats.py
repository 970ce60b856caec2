"""Every feed format personae reads, fetched from a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from personae.networks.base import Source
from personae.networks.feeds import FeedNetwork
from tests.networks.feeds.documents import (
    BASE_TIME,
    Entry,
    atom,
    atom03,
    cookies,
    rss091,
    rss092,
    rss1,
    rss2,
)
from tests.support.feed_server import FeedServer, Reply

FULL_FORMATS: dict[str, Callable[[list[Entry]], bytes]] = {
    "rss-1.0": rss1,
    "rss-2.0": rss2,
    "atom-1.0": atom,
    "atom-0.3": atom03,
}


@pytest.mark.parametrize("build", FULL_FORMATS.values(), ids=FULL_FORMATS.keys())
def test_each_format_gives_its_entries_with_id_title_text_link_and_date(
    build: Callable[[list[Entry]], bytes], server: FeedServer, network: FeedNetwork
) -> None:
    """RSS 1.0, RSS 2.0, Atom 1.0 and Atom 0.3: ids, titles, plain text, links, dates."""
    url = server.serve("/feed", Reply(body=build(cookies(3))))
    result = network.fetch(Source(url=url))
    assert [item.remote_id for item in result.items] == [
        "tag:example.org,2024:cookie-3",
        "tag:example.org,2024:cookie-2",
        "tag:example.org,2024:cookie-1",
    ]
    first = result.items[0]
    assert first.title == "Batch 3"
    assert first.text == "Batch 3 is out of the oven."
    assert first.url == "https://example.org/cookie/3"
    assert first.created == BASE_TIME + 3 * 3600
    assert not result.warnings


def test_rss_091_items_are_identified_by_their_link(
    server: FeedServer, network: FeedNetwork
) -> None:
    """RSS 0.91 has no guid: the link is the id. Its Latin-1 text is decoded."""
    entries = [
        Entry(title="Crème brûlée", link="https://example.org/a", html="<i>très</i> bien"),
        Entry(title="Pain", link="https://example.org/b", html="plain"),
    ]
    url = server.serve("/old", Reply(body=rss091(entries), content_type="text/xml"))
    items = network.fetch(Source(url=url)).items
    assert [(i.remote_id, i.title, i.text) for i in items] == [
        ("https://example.org/a", "Crème brûlée", "très bien"),
        ("https://example.org/b", "Pain", "plain"),
    ]


def test_rss_092_items_with_only_a_description_get_a_stable_hashed_id(
    server: FeedServer, network: FeedNetwork
) -> None:
    """An item with neither guid nor link nor title still gets an id, the same each time."""
    entries = [Entry(title="", html="<p>just words</p>"), Entry(title="", html="other words")]
    url = server.serve("/old", Reply(body=rss092(entries)))
    first = network.fetch(Source(url=url)).items
    second = network.fetch(Source(url=url)).items
    assert [item.text for item in first] == ["just words", "other words"]
    ids = [item.remote_id for item in first]
    assert all(i.startswith("sha256:") for i in ids)
    assert len(set(ids)) == 2
    assert ids == [item.remote_id for item in second]


def test_atom_entries_without_an_author_take_the_feeds_author(
    server: FeedServer, network: FeedNetwork
) -> None:
    entries = [Entry(title="Mine", guid="urn:a", author="Grace"), Entry(title="Ours", guid="urn:b")]
    url = server.serve("/atom", Reply(body=atom(entries), content_type="application/atom+xml"))
    items = network.fetch(Source(url=url)).items
    assert [item.author for item in items] == ["Grace", "The Bakers"]


def test_verify_names_the_feed_by_its_title_as_text(
    server: FeedServer, network: FeedNetwork
) -> None:
    """Feeds put escaped HTML in titles (RSS allows it): the handle is its text."""
    url = server.serve("/feed", Reply(body=rss2(cookies(1), title="Cookies &amp; <b>Co</b>")))
    assert network.verify(Source(url=url)).handle == "Cookies & Co"


def test_relative_links_are_resolved_against_the_feed_address(
    server: FeedServer, network: FeedNetwork
) -> None:
    entries = [Entry(title="Here", guid="g1", link="/posts/1"), Entry(title="Bad", guid="g2")]
    url = server.serve("/blog/feed", Reply(body=rss2(entries)))
    items = network.fetch(Source(url=url)).items
    assert items[0].url == server.url("/posts/1")
    assert items[1].url == ""


def test_remote_ids_do_not_depend_on_the_address_the_feed_was_fetched_from(
    server: FeedServer, network: FeedNetwork
) -> None:
    """A relative guid stays as written: after a move, the store must recognise old items."""
    entries = [Entry(title="One", guid="1"), Entry(title="Two", guid="posts/2")]
    body = rss2(entries)
    old = network.fetch(Source(url=server.serve("/old/feed", Reply(body=body)))).items
    new = network.fetch(Source(url=server.serve("/new/place/feed", Reply(body=body)))).items
    assert [item.remote_id for item in old] == ["1", "posts/2"]
    assert [item.remote_id for item in new] == ["1", "posts/2"]


def test_links_that_are_not_web_addresses_are_dropped(
    server: FeedServer, network: FeedNetwork
) -> None:
    """A javascript: or data: link must never become something the app offers to open."""
    entries = [
        Entry(title="js", guid="a", link="javascript:alert(1)"),
        Entry(title="data", guid="b", link="data:text/html,<script>x</script>"),
    ]
    url = server.serve("/feed", Reply(body=rss2(entries)))
    assert [item.url for item in network.fetch(Source(url=url)).items] == ["", ""]


def test_a_very_long_guid_is_hashed_to_a_bounded_stable_id(
    server: FeedServer, network: FeedNetwork
) -> None:
    entries = [Entry(title="Long", guid="x" * 5000)]
    url = server.serve("/feed", Reply(body=rss2(entries)))
    first = network.fetch(Source(url=url)).items[0].remote_id
    assert first.startswith("sha256:") and len(first) < 100
    assert network.fetch(Source(url=url)).items[0].remote_id == first


def test_an_entry_repeated_within_one_feed_is_kept_once(
    server: FeedServer, network: FeedNetwork
) -> None:
    entries = [Entry(title="First copy", guid="same"), Entry(title="Second copy", guid="same")]
    url = server.serve("/feed", Reply(body=rss2(entries)))
    items = network.fetch(Source(url=url)).items
    assert [(item.remote_id, item.title) for item in items] == [("same", "First copy")]


def test_undated_entries_keep_the_feed_order_below_the_servers_date(
    server: FeedServer, network: FeedNetwork
) -> None:
    entries = [Entry(title=f"n{n}", guid=f"g{n}", hour=None) for n in range(3)]
    stamp = "Wed, 01 May 2024 12:00:00 GMT"
    url = server.serve("/feed", Reply(body=rss2(entries), last_modified=stamp))
    items = network.fetch(Source(url=url)).items
    assert [item.created for item in items] == [BASE_TIME, BASE_TIME - 1, BASE_TIME - 2]


def test_a_gzip_compressed_answer_is_decompressed(server: FeedServer, network: FeedNetwork) -> None:
    import gzip

    body = gzip.compress(rss2(cookies(2)))
    url = server.serve("/feed", Reply(body=body, headers={"Content-Encoding": "gzip"}))
    assert len(network.fetch(Source(url=url)).items) == 2
