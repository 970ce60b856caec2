"""An unchanged feed costs one request answered 304; items already stored are never stored
twice — by the adapter's validators, by the store, and through the sync engine."""

from __future__ import annotations

from personae.networks.base import Source
from personae.networks.feeds import FeedNetwork
from personae.networks.sync import SyncEngine
from personae.store import Persona, Store
from tests.networks.feeds.documents import Entry, cookies, rss2
from tests.support.feed_server import FeedServer, Reply

STAMP = "Wed, 01 May 2024 12:00:00 GMT"


def test_an_unchanged_feed_costs_one_request_answered_304_by_etag(
    server: FeedServer, network: FeedNetwork
) -> None:
    url = server.serve("/feed", Reply(body=rss2(cookies(3)), etag='"v1"'))
    first = network.fetch(Source(url=url))
    assert first.etag == '"v1"' and len(first.items) == 3
    before = server.hits["/feed"]
    second = network.fetch(Source(url=url, etag=first.etag))
    assert server.hits["/feed"] - before == 1
    assert server.seen["/feed"][-1]["if-none-match"] == '"v1"'
    assert second.not_modified and second.items == []
    assert second.etag == '"v1"'  # kept for the next fetch


def test_an_unchanged_feed_costs_one_request_answered_304_by_last_modified(
    server: FeedServer, network: FeedNetwork
) -> None:
    url = server.serve("/feed", Reply(body=rss2(cookies(2)), last_modified=STAMP))
    first = network.fetch(Source(url=url))
    assert first.last_modified == STAMP and first.etag == ""
    second = network.fetch(Source(url=url, last_modified=first.last_modified))
    assert server.hits["/feed"] == 2
    assert server.seen["/feed"][-1]["if-modified-since"] == STAMP
    assert second.not_modified and second.items == []
    assert second.last_modified == STAMP


def test_a_first_fetch_sends_no_validators(server: FeedServer, network: FeedNetwork) -> None:
    url = server.serve("/feed", Reply(body=rss2(cookies(1)), etag='"v1"', last_modified=STAMP))
    network.fetch(Source(url=url))
    sent = server.seen["/feed"][0]
    assert "if-none-match" not in sent and "if-modified-since" not in sent


def test_a_changed_feed_is_read_in_full_with_its_new_validator(
    server: FeedServer, network: FeedNetwork
) -> None:
    url = server.serve("/feed", Reply(body=rss2(cookies(2)), etag='"v1"'))
    first = network.fetch(Source(url=url))
    server.serve("/feed", Reply(body=rss2(cookies(3)), etag='"v2"'))
    second = network.fetch(Source(url=url, etag=first.etag))
    assert not second.not_modified
    assert second.etag == '"v2"' and len(second.items) == 3


def test_a_hostile_validator_is_not_sent_back(server: FeedServer, network: FeedNetwork) -> None:
    """A stored validator with a line break must not inject a header into the request."""
    url = server.serve("/feed", Reply(body=rss2(cookies(1))))
    result = network.fetch(Source(url=url, etag='"v1"\r\nX-Evil: 1', last_modified="\x00"))
    assert len(result.items) == 1
    sent = server.seen["/feed"][0]
    assert "if-none-match" not in sent and "x-evil" not in sent
    assert "if-modified-since" not in sent


def test_the_store_ignores_items_it_already_holds_by_remote_id(
    store: Store, work: Persona, server: FeedServer, network: FeedNetwork
) -> None:
    """A server that ignores validators sends everything again; only new items are stored."""
    feed = store.feeds.add(work, server.serve("/feed", Reply(body=rss2(cookies(3)))))
    first = network.fetch(Source(url=feed.url))
    assert store.timeline.add(work.id, "feed", feed.id, first.items) == 3
    server.serve("/feed", Reply(body=rss2(cookies(4))))  # one new entry on top
    second = network.fetch(Source(url=feed.url))
    assert store.timeline.add(work.id, "feed", feed.id, second.items) == 1
    titles = [item.title for item in store.timeline.newest(work.id)]
    assert titles == ["Batch 4", "Batch 3", "Batch 2", "Batch 1"]


def test_items_without_guid_are_recognised_by_their_link(
    store: Store, work: Persona, server: FeedServer, network: FeedNetwork
) -> None:
    entries = [Entry(title="A", link="https://example.org/a"), Entry(title="B", link="/b")]
    feed = store.feeds.add(work, server.serve("/feed", Reply(body=rss2(entries))))
    for _ in range(2):
        items = network.fetch(Source(url=feed.url)).items
        store.timeline.add(work.id, "feed", feed.id, items)
    stored = store.timeline.newest(work.id)
    assert sorted(item.remote_id for item in stored) == ["/b", "https://example.org/a"]


def test_an_edited_item_is_not_stored_again(
    store: Store, work: Persona, server: FeedServer, network: FeedNetwork
) -> None:
    """Same guid, new title (a typo fixed): the same item, not a second one."""
    feed = store.feeds.add(work, server.serve("/feed", Reply(body=rss2(cookies(2)))))
    store.timeline.add(work.id, "feed", feed.id, network.fetch(Source(url=feed.url)).items)
    edited = [Entry(title="Batch 2 (fixed)", guid="tag:example.org,2024:cookie-2", hour=2)]
    server.serve("/feed", Reply(body=rss2(edited)))
    items = network.fetch(Source(url=feed.url)).items
    assert store.timeline.add(work.id, "feed", feed.id, items) == 0


def test_sync_refreshes_a_feed_once_and_an_unchanged_one_with_a_single_304(
    store: Store, work: Persona, server: FeedServer, engine: SyncEngine
) -> None:
    url = server.serve("/feed", Reply(body=rss2(cookies(3)), etag='"v1"', last_modified=STAMP))
    feed = store.feeds.add(work, url)
    first = engine.run(work.id, publish=False)
    assert first.fetched == {f"Work: {url}": 3} and not first.errors
    stored = store.feeds.get(feed.id)
    assert (stored.etag, stored.last_modified) == ('"v1"', STAMP)
    second = engine.run(work.id, publish=False)
    assert second.fetched == {f"Work: {url}": 0} and not second.errors
    assert server.hits["/feed"] == 2
    assert server.seen["/feed"][-1]["if-none-match"] == '"v1"'
    assert store.timeline.count(work.id) == 3


def test_sync_stores_only_new_items_when_the_server_ignores_validators(
    store: Store, work: Persona, server: FeedServer, engine: SyncEngine
) -> None:
    url = server.serve("/feed", Reply(body=rss2(cookies(3))))
    store.feeds.add(work, url)
    engine.run(work.id, publish=False)
    server.serve("/feed", Reply(body=rss2(cookies(5))))
    report = engine.run(work.id, publish=False)
    assert report.fetched == {f"Work: {url}": 2}
    assert store.timeline.count(work.id) == 5


def test_the_same_feed_read_by_two_personas_is_stored_for_each(
    store: Store, work: Persona, family: Persona, server: FeedServer, engine: SyncEngine
) -> None:
    """Deduplication is per feed: the family persona gets its own copy, nothing leaks."""
    url = server.serve("/feed", Reply(body=rss2(cookies(2))))
    store.feeds.add(work, url)
    store.feeds.add(family, url)
    engine.run(None, publish=False)
    assert store.timeline.count(work.id) == 2
    assert store.timeline.count(family.id) == 2
