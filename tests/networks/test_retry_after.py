"""How long a server asks us to wait: one reading of its headers, shared by every adapter,
so a 429 means the same wait whichever network sent it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate

import pytest

from personae.networks.base import Network, Source
from personae.networks.bluesky import BlueskyNetwork
from personae.networks.errors import RateLimited
from personae.networks.feeds import FeedNetwork
from personae.networks.mastodon import MastodonNetwork
from personae.networks.retry_after import retry_after
from tests.networks.bluesky.fault_server import Answer, FaultServer, session_for
from tests.support.feed_server import FeedServer, Reply

NOW = 1_714_564_800.0  # the server's clock in these headers: Wed, 01 May 2024 12:00:00 GMT
DATE = formatdate(NOW, usegmt=True)


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"Retry-After": "120"}, 120),
        ({"retry-after": "0"}, 0),
        ({"Retry-After": formatdate(NOW + 90, usegmt=True), "Date": DATE}, 90),
        ({"Retry-After": formatdate(NOW - 90, usegmt=True), "Date": DATE}, 0),  # already past
        ({"X-RateLimit-Reset": "2024-05-01T12:05:00.000Z", "Date": DATE}, 300),  # Mastodon
        ({"ratelimit-reset": str(int(NOW) + 45), "date": DATE}, 45),  # Bluesky: epoch seconds
        ({"RateLimit-Reset": "30"}, 30),  # IETF draft: seconds from now
        ({"Retry-After": "15", "X-RateLimit-Reset": str(int(NOW) + 600), "Date": DATE}, 15),
    ],
)
def test_the_wait_comes_from_retry_after_else_the_rate_limit_reset(headers, wait) -> None:
    assert retry_after(headers, now=NOW) == wait


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Retry-After": "soon"},
        {"Retry-After": "-5"},
        {"Retry-After": "nan"},
        {"Retry-After": "inf"},
        {"X-RateLimit-Reset": "not a time"},
        {"Date": DATE},
    ],
)
def test_headers_that_name_no_usable_wait_give_none(headers) -> None:
    assert retry_after(headers, now=NOW) is None


def test_a_date_is_measured_against_the_servers_clock_not_ours() -> None:
    """Our clock is a day ahead; the server asks for two minutes by its own."""
    headers = {"Retry-After": formatdate(NOW + 120, usegmt=True), "Date": DATE}
    assert retry_after(headers, now=NOW + 86_400) == 120


# -- every adapter reads them the same way ----------------------------------------------------


@contextmanager
def rate_limited(adapter: str) -> Iterator[tuple[Network, Source]]:
    """``adapter`` pointed at a real server that answers 429 with only a rate-limit reset,
    two minutes after the server's own Date, written as Bluesky's PDS writes it."""
    reset = {"ratelimit-reset": str(int(time.time()) + 120)}
    if adapter == "bluesky":
        with FaultServer() as fault:
            fault.answer = Answer(429, b'{"error": "RateLimitExceeded"}', reset)
            session = session_for(fault.url)
            yield BlueskyNetwork(), Source(url=fault.url, handle="alice.test", session=session)
        return
    with FeedServer() as server:
        if adapter == "mastodon":
            reply = Reply(status=429, body=b"{}", content_type="application/json", headers=reset)
            server.serve("/api/v1/timelines/home", reply)
            yield MastodonNetwork(), Source(url=server.url(), secret="alice_token")
        else:
            url = server.serve("/feed.xml", Reply(status=429, headers=reset))
            yield FeedNetwork(), Source(url=url)


@pytest.mark.parametrize("adapter", ["rss", "mastodon", "bluesky"])
def test_every_adapter_waits_for_a_rate_limit_reset(adapter: str) -> None:
    with rate_limited(adapter) as (network, source), pytest.raises(RateLimited) as limited:
        network.fetch(source)
    assert limited.value.retry_after is not None
    assert 100 <= limited.value.retry_after <= 120  # whole seconds on the server's clock
    assert "retry" in str(limited.value) or "try again" in str(limited.value)
