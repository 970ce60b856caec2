"""Permanent moves update the stored address, temporary ones do not; a feed that is gone
for good (410) is disabled with a message."""

from __future__ import annotations

import pytest

from personae.networks.base import Source
from personae.networks.errors import Rejected, ServerTrouble
from personae.networks.feeds import FeedNetwork
from personae.networks.sync import SyncEngine
from personae.store import Persona, Store
from tests.networks.feeds.conftest import TEST_LIMITS
from tests.networks.feeds.documents import cookies, rss2
from tests.support.feed_server import FeedServer, Reply


@pytest.mark.parametrize("status", [301, 308])
def test_a_permanent_redirect_updates_the_stored_address(
    status: int, store: Store, work: Persona, server: FeedServer, engine: SyncEngine
) -> None:
    server.serve("/new.xml", Reply(body=rss2(cookies(2)), etag='"v1"'))
    old = server.redirect("/old.xml", "/new.xml", status=status)
    feed = store.feeds.add(work, old)
    report = engine.run(work.id, publish=False)
    new = server.url("/new.xml")
    assert store.feeds.get(feed.id).url == new
    assert f"Work: {old}: moved permanently to {new}; updated" in report.errors
    assert store.timeline.count(work.id) == 2
    engine.run(work.id, publish=False)  # goes straight to the new address, with its etag
    assert server.hits["/old.xml"] == 1 and server.hits["/new.xml"] == 2
    assert server.seen["/new.xml"][-1]["if-none-match"] == '"v1"'


@pytest.mark.parametrize("status", [302, 303, 307])
def test_a_temporary_redirect_keeps_the_stored_address(
    status: int, store: Store, work: Persona, server: FeedServer, engine: SyncEngine
) -> None:
    server.serve("/today.xml", Reply(body=rss2(cookies(2))))
    old = server.redirect("/feed.xml", "/today.xml", status=status)
    feed = store.feeds.add(work, old)
    report = engine.run(work.id, publish=False)
    assert store.feeds.get(feed.id).url == old
    assert report.fetched == {f"Work: {old}": 2} and not report.errors
    engine.run(work.id, publish=False)
    assert server.hits["/feed.xml"] == 2  # asked again at the stored address


def test_a_move_keeps_the_items_already_read_and_adds_no_duplicates(
    store: Store, work: Persona, server: FeedServer, engine: SyncEngine
) -> None:
    """Ids do not depend on the address, so after a move the same entries are recognised."""
    old = server.serve("/old.xml", Reply(body=rss2(cookies(3))))
    feed = store.feeds.add(work, old)
    engine.run(work.id, publish=False)
    store.timeline.mark_all_read(work.id)
    server.serve("/new.xml", Reply(body=rss2(cookies(4))))
    server.redirect("/old.xml", "/new.xml", status=301)
    report = engine.run(work.id, publish=False)
    assert report.fetched == {f"Work: {old}": 1}
    assert store.feeds.get(feed.id).url == server.url("/new.xml")
    assert store.timeline.count(work.id) == 4
    assert store.timeline.count(work.id, unread_only=True) == 1


def test_only_the_permanent_start_of_a_redirect_chain_is_stored(
    server: FeedServer, network: FeedNetwork
) -> None:
    """301 then 302: the first hop moved for good, the second may change again."""
    server.serve("/final.xml", Reply(body=rss2(cookies(1))))
    server.redirect("/middle.xml", "/final.xml", status=302)
    first = server.redirect("/first.xml", "/middle.xml", status=301)
    assert network.fetch(Source(url=first)).moved_to == server.url("/middle.xml")


def test_a_temporary_hop_first_means_the_feed_has_not_moved(
    server: FeedServer, network: FeedNetwork
) -> None:
    server.serve("/final.xml", Reply(body=rss2(cookies(1))))
    server.redirect("/middle.xml", "/final.xml", status=301)
    first = server.redirect("/first.xml", "/middle.xml", status=302)
    result = network.fetch(Source(url=first))
    assert result.moved_to == "" and len(result.items) == 1


def test_a_moved_feed_that_is_unchanged_still_reports_the_move(
    server: FeedServer, network: FeedNetwork
) -> None:
    server.serve("/new.xml", Reply(body=rss2(cookies(1)), etag='"v1"'))
    old = server.redirect("/old.xml", "/new.xml", status=308)
    result = network.fetch(Source(url=old, etag='"v1"'))
    assert result.not_modified and result.moved_to == server.url("/new.xml")
    assert server.seen["/new.xml"][-1]["if-none-match"] == '"v1"'


def test_a_redirect_loop_stops_with_a_clear_message(
    server: FeedServer, network: FeedNetwork
) -> None:
    a = server.redirect("/a.xml", "/b.xml", status=302)
    server.redirect("/b.xml", "/a.xml", status=302)
    with pytest.raises(ServerTrouble) as caught:
        network.fetch(Source(url=a))
    assert str(caught.value) == (
        f"127.0.0.1:{server.port} redirects more than {TEST_LIMITS.max_redirects} times"
    )
    assert server.hits["/a.xml"] + server.hits["/b.xml"] == TEST_LIMITS.max_redirects + 1


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://example.org/feed"])
def test_a_redirect_away_from_the_web_is_refused(
    target: str, server: FeedServer, network: FeedNetwork
) -> None:
    url = server.redirect("/feed.xml", target, status=301)
    with pytest.raises(Rejected) as caught:
        network.fetch(Source(url=url))
    assert "redirects to an address that is not a web address" in str(caught.value)


def test_a_relative_redirect_is_followed(server: FeedServer, network: FeedNetwork) -> None:
    server.serve("/feeds/new.xml", Reply(body=rss2(cookies(1))))
    url = server.serve("/old.xml", Reply(status=301, headers={"Location": "feeds/new.xml"}))
    assert network.fetch(Source(url=url)).moved_to == server.url("/feeds/new.xml")


def test_410_gone_disables_the_feed_with_a_message_and_keeps_its_items(
    store: Store, work: Persona, server: FeedServer, engine: SyncEngine
) -> None:
    url = server.serve("/feed.xml", Reply(body=rss2(cookies(2))))
    feed = store.feeds.add(work, url)
    engine.run(work.id, publish=False)
    server.serve("/feed.xml", Reply(status=410, body=b"gone"))
    report = engine.run(work.id, publish=False)
    assert store.feeds.get(feed.id).state == "gone"
    assert f"Work: {url}: the feed is gone (410); it is disabled" in report.errors
    assert store.timeline.count(work.id) == 2
    engine.run(work.id, publish=False)
    assert server.hits["/feed.xml"] == 2  # a disabled feed is not asked again


def test_410_after_a_permanent_redirect_disables_and_records_the_move(
    server: FeedServer, network: FeedNetwork
) -> None:
    server.serve("/new.xml", Reply(status=410))
    old = server.redirect("/old.xml", "/new.xml", status=301)
    result = network.fetch(Source(url=old))
    assert result.gone and result.moved_to == server.url("/new.xml")


def test_adding_a_feed_that_is_gone_is_refused(server: FeedServer, network: FeedNetwork) -> None:
    url = server.serve("/feed.xml", Reply(status=410))
    with pytest.raises(Rejected) as caught:
        network.verify(Source(url=url))
    assert str(caught.value) == f"127.0.0.1:{server.port} says this feed is gone for good (410)"
