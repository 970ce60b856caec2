"""The sync engine against a real server: the mastodon-mock double on loopback, reached
through a relay that can take "the network" down and bring it back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from personae.networks.sync import Policy, SyncEngine
from tests.support.mastodon_double import MastodonDouble
from tests.support.relay import Relay


@pytest.fixture
def network(double: MastodonDouble) -> Iterator[Relay]:
    relay = Relay(double.port).up()
    yield relay
    relay.down()


@pytest.fixture
def alice(store, work, network, double):
    """Work's Mastodon account on the double."""
    return store.accounts.add(work, "mastodon", "alice", network.url, double.token("alice"))


@pytest.fixture
def carol(store, work, network, double):
    """A second account of Work on the same server."""
    return store.accounts.add(work, "mastodon", "carol", network.url, double.token("carol"))


@pytest.fixture
def engine(store) -> SyncEngine:
    return SyncEngine(store, Policy(base_delay=10, max_attempts=3, offline_delay=60))
