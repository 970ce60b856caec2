"""Fixtures for the Bluesky adapter: the reference PDS on loopback (one for the session,
with an AppView configured that does not answer, as when a PDS's AppView is down), a PDS of
a test's own when it is to be stopped, dev-env's full network for timelines, and accounts
with app passwords, as a user would give them to personae."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import pytest

from personae.networks.base import Source
from personae.networks.bluesky import BlueskyNetwork
from tests.support.pds import (
    LocalNetwork,
    LocalPds,
    ServerUnavailable,
    TestAccount,
    running_network,
    running_pds,
)
from tests.support.ports import free_port
from tests.support.prereqs import require

_numbers = itertools.count(1)


def _started(servers):
    """Enter a server context; a missing prerequisite skips (fails under CI)."""
    try:
        return servers.__enter__()
    except ServerUnavailable as missing:
        require(False, str(missing))


@pytest.fixture(scope="session")
def pds() -> Iterator[LocalPds]:
    """The PDS shared by the session; its AppView is configured but never answers."""
    servers = running_pds(
        PDS_BSKY_APP_VIEW_URL=f"http://localhost:{free_port()}",
        PDS_BSKY_APP_VIEW_DID="did:web:localhost",
    )
    yield _started(servers)
    servers.__exit__(None, None, None)


@pytest.fixture
def own_pds() -> Iterator[LocalPds]:
    """A PDS for one test, which may stop and start it."""
    servers = running_pds()
    yield _started(servers)
    servers.__exit__(None, None, None)


@pytest.fixture(scope="session")
def devnet() -> Iterator[LocalNetwork]:
    """dev-env's full network: PDS, AppView, PostgreSQL and Redis on loopback."""
    servers = running_network()
    yield _started(servers)
    servers.__exit__(None, None, None)


@pytest.fixture
def bluesky() -> BlueskyNetwork:
    """A fresh adapter (no cached clients), with timeouts short enough for tests."""
    return BlueskyNetwork(timeout=(5.0, 10.0))


@pytest.fixture
def new_account(pds: LocalPds) -> Callable[[str], TestAccount]:
    """Accounts with handles unique in the session: ``new_account("alice")`` → alice7.test."""

    def create(name: str, server: LocalPds | LocalNetwork = pds) -> TestAccount:
        return server.create_account(f"{name}{next(_numbers)}.test", f"{name}-password-1")

    return create


def app_source(server: LocalPds | LocalNetwork, account: TestAccount, session: str = "") -> Source:
    """What personae holds for an account: server, handle, an app password, a session."""
    return Source(
        url=server.url,
        handle=account.handle,
        secret=server.app_password(account),
        session=session,
    )
