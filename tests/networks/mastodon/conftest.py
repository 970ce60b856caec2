"""Fixtures for the Mastodon adapter: the mastodon-mock double on loopback (one process for
the whole session, reset to its seed before each test) and the adapter itself."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from networks.mastodon import MastodonNetwork
from tests.support.mastodon_double import MastodonDouble


@pytest.fixture(scope="session")
def running_double() -> Iterator[MastodonDouble]:
    with MastodonDouble() as double:
        yield double


@pytest.fixture
def double(running_double: MastodonDouble) -> MastodonDouble:
    """The double as seeded: alice follows bob; no statuses, no faults."""
    running_double.reset()
    return running_double


@pytest.fixture
def mastodon() -> MastodonNetwork:
    """The adapter, with short timeouts so a slow-answer test stays quick."""
    return MastodonNetwork(timeout=(5.0, 5.0))
