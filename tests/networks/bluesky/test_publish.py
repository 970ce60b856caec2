"""Publishing to the real PDS: facets, exactly-once retries, the length limit, deleting."""

from __future__ import annotations

import pytest
from atproto import models

from personae.networks.base import Post
from personae.networks.errors import Rejected
from tests.networks.bluesky.conftest import app_source

pytestmark = [pytest.mark.slow, pytest.mark.pds]


def records(pds, account) -> list:
    client = pds.client(account)
    params = models.ComAtprotoRepoListRecords.Params(
        repo=account.did, collection="app.bsky.feed.post"
    )
    return client.com.atproto.repo.list_records(params).records


def stored_record(pds, account, rkey: str) -> dict:
    client = pds.client(account)
    params = models.ComAtprotoRepoGetRecord.Params(
        repo=account.did, collection="app.bsky.feed.post", rkey=rkey
    )
    return client.invoke_query("com.atproto.repo.getRecord", params=params).content["value"]


def span(text: str, facet: dict) -> str:
    """The part of ``text`` a facet's UTF-8 byte range covers."""
    index = facet["index"]
    return text.encode()[index["byteStart"] : index["byteEnd"]].decode()


def test_links_hashtags_and_mentions_become_facets_at_utf8_byte_offsets(pds, bluesky, new_account):
    alice, bob = new_account("alice"), new_account("bob")
    text = f"Tärta 🎂👩‍👩‍👧 ready: https://example.org/cake?x=1 #baking with @{bob.handle}!"
    details = bluesky.prepare(text, "cake")

    bluesky.publish(app_source(pds, alice), Post(text, "cake", details))

    record = stored_record(pds, alice, details["rkey"])
    assert record["text"] == text
    assert record["createdAt"] == details["createdAt"]
    facets = {f["features"][0]["$type"].rsplit("#", 1)[1]: f for f in record["facets"]}
    assert span(text, facets["link"]) == "https://example.org/cake?x=1"
    assert facets["link"]["features"][0]["uri"] == "https://example.org/cake?x=1"
    assert span(text, facets["tag"]) == "#baking"
    assert facets["tag"]["features"][0]["tag"] == "baking"
    assert span(text, facets["mention"]) == f"@{bob.handle}"
    assert facets["mention"]["features"][0]["did"] == bob.did


def test_a_mention_that_does_not_resolve_stays_plain_text(pds, bluesky, new_account):
    alice = new_account("alice")
    text = "hello @nobody-here.test"
    details = bluesky.prepare(text, "k")

    bluesky.publish(app_source(pds, alice), Post(text, "k", details))

    assert "facets" not in stored_record(pds, alice, details["rkey"])


def test_the_same_publish_retried_gives_exactly_one_record(pds, bluesky, new_account):
    """A retry after a crash sends the same record key and createdAt: no second post."""
    alice = new_account("alice")
    source = app_source(pds, alice)
    post = Post("only once #once", "idem-1", bluesky.prepare("only once #once", "idem-1"))

    first = bluesky.publish(source, post)
    again = bluesky.publish(source, post)
    from personae.networks.bluesky import BlueskyNetwork

    after_restart = BlueskyNetwork().publish(source, post)  # a new process, same stored details

    assert first.remote_id == again.remote_id == after_restart.remote_id
    assert [r.value.text for r in records(pds, alice)] == ["only once #once"]


def test_a_different_post_under_a_used_record_key_is_rejected(pds, bluesky, new_account):
    alice = new_account("alice")
    source = app_source(pds, alice)
    details = bluesky.prepare("original", "k")
    bluesky.publish(source, Post("original", "k", details))

    with pytest.raises(Rejected, match="already holds a different post"):
        bluesky.publish(source, Post("edited", "k", details))

    assert [r.value.text for r in records(pds, alice)] == ["original"]


def test_prepare_chooses_increasing_record_keys_and_a_utc_time(bluesky):
    keys = [bluesky.prepare("x", str(n))["rkey"] for n in range(100)]
    assert keys == sorted(keys) and len(set(keys)) == 100
    assert all(len(k) == 13 and k[0] in "234567abcdefghij" for k in keys)
    assert bluesky.prepare("x", "k")["createdAt"].endswith("Z")


def test_300_graphemes_pass_and_301_are_too_long(bluesky):
    family = "👨‍👩‍👧"  # one grapheme, five code points, 18 bytes
    assert bluesky.check_length("é" * 300) is None
    assert bluesky.check_length(family * 150 + "a" * 150) is None
    assert bluesky.check_length("a" * 301) == "301 graphemes, Bluesky allows 300"
    assert bluesky.check_length(family * 166 + "a") is None  # 167 graphemes, 2989 bytes
    assert bluesky.check_length(family * 167) == "3006 bytes, Bluesky allows 3000"


def test_a_post_of_300_graphemes_is_accepted_by_the_server(pds, bluesky, new_account):
    alice = new_account("alice")
    text = "🎂" * 300
    bluesky.publish(app_source(pds, alice), Post(text, "k", bluesky.prepare(text, "k")))
    assert [r.value.text for r in records(pds, alice)] == [text]


def test_deleting_a_published_post_removes_the_record(pds, bluesky, new_account):
    alice = new_account("alice")
    source = app_source(pds, alice)
    keep = bluesky.publish(source, Post("keep", "a", bluesky.prepare("keep", "a")))
    gone = bluesky.publish(source, Post("gone", "b", bluesky.prepare("gone", "b")))

    bluesky.delete(source, gone.remote_id)
    bluesky.delete(source, gone.remote_id)  # deleting twice is harmless

    assert [r.uri for r in records(pds, alice)] == [keep.remote_id]


def test_a_post_without_stored_details_is_refused_rather_than_sent_twice(pds, bluesky, new_account):
    alice = new_account("alice")
    with pytest.raises(Rejected, match="no record key"):
        bluesky.publish(app_source(pds, alice), Post("hello", "k", {}))
    assert records(pds, alice) == []
