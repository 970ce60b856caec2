"""Fixtures for the Mastodon adapter; the mastodon-mock double (``double``) comes from
tests/conftest.py: one process for the session, reset to its seed before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from personae.networks.mastodon import MastodonNetwork
from tests.support.mastodon_double import MastodonDouble
from tests.support.relay import Relay


@pytest.fixture
def mastodon() -> MastodonNetwork:
    """The adapter, with short timeouts so a slow-answer test stays quick."""
    return MastodonNetwork(timeout=(5.0, 5.0))


@pytest.fixture
def relay(double: MastodonDouble) -> Iterator[Relay]:
    """The double behind a relay that can hold its answers back (a lost answer)."""
    running = Relay(double.port).up()
    yield running
    running.down()
