"""Reading the home timeline: from dev-env's full network (PDS + AppView on PostgreSQL and
Redis), and from a PDS whose AppView does not answer."""

from __future__ import annotations

import pytest

from personae.networks.base import Post, Source
from personae.networks.sync import SyncEngine
from tests.networks.bluesky.conftest import app_source

pytestmark = [pytest.mark.slow, pytest.mark.pds]


def post(bluesky, source: Source, text: str) -> str:
    return bluesky.publish(source, Post(text, text, bluesky.prepare(text, text))).remote_id


def test_a_followed_accounts_posts_arrive_once_and_the_position_advances(
    devnet, bluesky, new_account
):
    alice, bob = new_account("alice", devnet), new_account("bob", devnet)
    devnet.follow(alice, bob)
    as_bob, as_alice = app_source(devnet, bob), app_source(devnet, alice)
    first = post(bluesky, as_bob, "Bob's first post")
    devnet.process_all()

    read = bluesky.fetch(as_alice)

    assert [(i.remote_id, i.text, i.author) for i in read.items] == [
        (first, "Bob's first post", f"@{bob.handle}")
    ]
    rkey = first.rsplit("/", 1)[1]
    assert read.items[0].url == f"https://bsky.app/profile/{bob.handle}/post/{rkey}"
    assert read.cursor.endswith(first)
    again = bluesky.fetch(Source(**{**vars(as_alice), "cursor": read.cursor}))
    assert again.items == [] and again.cursor == read.cursor

    second = post(bluesky, as_bob, "Bob's second post")
    devnet.process_all()
    later = bluesky.fetch(Source(**{**vars(as_alice), "cursor": read.cursor}))
    assert [i.remote_id for i in later.items] == [second]
    assert later.cursor.endswith(second) and later.cursor > read.cursor


def test_sync_stores_the_timeline_and_its_position(devnet, bluesky, new_account, store, work):
    """Through the store: the second sync finds nothing new; the cursor was kept."""
    alice, bob = new_account("alice", devnet), new_account("bob", devnet)
    devnet.follow(alice, bob)
    post(bluesky, app_source(devnet, bob), "for the store")
    devnet.process_all()
    secret = devnet.app_password(alice)
    account = store.accounts.add(work, "bluesky", alice.handle, devnet.url, secret)

    first = SyncEngine(store).run(work.id, publish=False)
    second = SyncEngine(store).run(work.id, publish=False)

    label = f"Work: {alice.handle}"
    assert (first.fetched, second.fetched) == ({label: 1}, {label: 0})
    assert [i.text for i in store.timeline.newest(work.id)] == ["for the store"]
    kept = store.accounts.get(account.id)
    assert kept.cursor and kept.session.startswith(f"{alice.handle}:::")


def test_a_pds_whose_appview_does_not_answer_gives_a_warning_not_a_crash(pds, bluesky, new_account):
    source = app_source(pds, new_account("alice"))
    read = bluesky.fetch(Source(**{**vars(source), "cursor": "2026-01-01T00:00:00Z at://x"}))
    assert read.items == []
    assert read.warnings == [f"localhost:{pds.port} offers no home timeline (no AppView)"]
    assert read.cursor == ""  # unchanged: nothing to store
