"""Fixtures for the feed adapter: a real HTTP server on 127.0.0.1 and adapters with short
limits, so that timeout tests take a second or two rather than a minute."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from personae.networks.feeds import FeedNetwork, Limits
from personae.networks.sync import Policy, SyncEngine
from tests.support.feed_server import FeedServer

# Short enough for tests, long enough for a loaded 2-core machine to answer a healthy request.
TEST_LIMITS = Limits(connect=2.0, read=1.0, total=3.0, max_bytes=256 * 1024, max_redirects=3)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


@pytest.fixture
def network() -> Iterator[FeedNetwork]:
    adapter = FeedNetwork(TEST_LIMITS)
    yield adapter
    adapter.close()


@pytest.fixture
def engine(store) -> SyncEngine:
    """The sync engine as ``personae sync`` runs it, with the installed ``rss`` adapter."""
    return SyncEngine(store, Policy(workers=2))
