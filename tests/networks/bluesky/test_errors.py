"""What a failing server becomes: one clear line naming the server, and the right decision
for the outbox (retry or not, after how long). No secret in any message."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from personae.networks.base import Source
from personae.networks.bluesky import BlueskyNetwork
from personae.networks.errors import RateLimited, Rejected, ServerTrouble
from tests.networks.bluesky.fault_server import Answer, FaultServer, session_for

SECRET = "abcd-efgh-ijkl-mnop"


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as running:
        yield running


@pytest.fixture
def source(server: FaultServer) -> Source:
    return Source(
        url=server.url, handle="alice.test", secret=SECRET, session=session_for(server.url)
    )


@pytest.fixture
def bluesky() -> BlueskyNetwork:
    return BlueskyNetwork(timeout=(2.0, 1.0))


def xrpc_error(name: str, message: str) -> bytes:
    return json.dumps({"error": name, "message": message}).encode()


def test_a_server_error_is_trouble_worth_retrying(server, source, bluesky):
    server.answer = Answer(500, xrpc_error("InternalServerError", "Internal Server Error"))
    with pytest.raises(ServerTrouble) as trouble:
        bluesky.fetch(source)
    host = server.url.removeprefix("http://")
    assert (
        str(trouble.value) == f"{host} had trouble reading the timeline (500 InternalServerError)"
    )
    assert trouble.value.retry


def test_429_is_rate_limited_for_as_long_as_retry_after_says(server, source, bluesky):
    server.answer = Answer(
        429, xrpc_error("RateLimitExceeded", "Rate Limit Exceeded"), {"Retry-After": "7"}
    )
    with pytest.raises(RateLimited) as limited:
        bluesky.fetch(source)
    assert limited.value.retry_after == 7
    assert str(limited.value).endswith("is rate-limiting reading the timeline; retry in 7 s")


def test_broken_json_is_an_invalid_answer(server, source, bluesky):
    server.answer = Answer(200, b'{"feed": [{"post": ')
    with pytest.raises(ServerTrouble, match="sent an invalid answer while reading the timeline"):
        bluesky.fetch(source)


def test_a_body_cut_short_is_a_broken_connection(server, source, bluesky):
    server.answer = Answer(200, json.dumps({"feed": []}).encode() * 50, truncate=20)
    with pytest.raises(ServerTrouble, match=r"connection to .* broke while reading the timeline"):
        bluesky.fetch(source)


def test_a_silent_server_times_out(server, source, bluesky):
    server.answer = Answer(200, b'{"feed": []}', delay=3.0)
    with pytest.raises(ServerTrouble, match="did not answer in time while reading the timeline"):
        bluesky.fetch(source)


def test_a_refusal_is_one_clean_line_without_the_secret(server, source, bluesky):
    """Server text is untrusted: controls and escape sequences go, the secret never shows."""
    hostile = f"bad\x1b]0;pwned\x07 request\nfor {SECRET}\r\n\x1b[31mred"
    server.answer = Answer(400, xrpc_error("InvalidRequest", hostile))
    with pytest.raises(Rejected) as refused:
        bluesky.fetch(source)
    message = str(refused.value)
    assert SECRET not in message
    assert message.isprintable() and "\x1b" not in message
    assert not refused.value.retry


def test_a_long_refusal_cut_to_one_line_keeps_no_part_of_the_secret(server, source, bluesky):
    """The secret is masked before the text is shortened, so the cut cannot leave a piece."""
    server.answer = Answer(400, xrpc_error("InvalidRequest", "x" * 150 + SECRET + "y" * 50))
    with pytest.raises(Rejected) as refused:
        bluesky.fetch(source)
    message = str(refused.value)
    assert SECRET[:4] not in message and "***" in message
    assert message.endswith("…")


def test_timeline_entries_that_are_not_posts_are_skipped(server, source, bluesky):
    """Junk in an answer costs that entry, not the whole timeline."""
    good = {
        "post": {
            "uri": "at://did:plc:bob/app.bsky.feed.post/3kabc",
            "author": {"did": "did:plc:bob", "handle": "bob.test", "displayName": "Bob"},
            "record": {"text": "hi", "createdAt": "2026-01-02T03:04:05.000Z"},
            "indexedAt": "2026-01-02T03:04:06.000Z",
        }
    }
    junk = [None, 7, {"post": "x"}, {"post": {"uri": 5}}, {"post": {"uri": "at://x", "record": 1}}]
    server.answer = Answer(200, json.dumps({"feed": [*junk, good]}).encode())

    read = bluesky.fetch(source)

    assert [(i.author, i.text) for i in read.items] == [("Bob (@bob.test)", "hi")]
    assert read.cursor == "2026-01-02T03:04:05.000000Z at://did:plc:bob/app.bsky.feed.post/3kabc"
