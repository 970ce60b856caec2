"""Fixtures for the Threads adapter: one Threads double for the session, reset before each
test."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from personae.networks.base import Source
from personae.networks.threads import ThreadsNetwork
from personae.networks.webapi import Limits
from tests.support.threads_double import ThreadsDouble

TEST_LIMITS = Limits(connect=2.0, read=1.0, total=5.0, max_bytes=256 * 1024)


@pytest.fixture(scope="session")
def running_threads() -> Iterator[ThreadsDouble]:
    with ThreadsDouble() as double:
        yield double


@pytest.fixture
def double(running_threads: ThreadsDouble) -> ThreadsDouble:
    running_threads.reset()
    return running_threads


@pytest.fixture
def threads() -> Iterator[ThreadsNetwork]:
    adapter = ThreadsNetwork(TEST_LIMITS)
    yield adapter
    adapter.close()


def account(double: ThreadsDouble, login: str = "alice", cursor: str = "") -> Source:
    session = json.dumps({"user_id": double.user_id(login), "username": login})
    return Source(
        url=double.url,
        handle=f"@{login}",
        secret=double.token(login),
        session=session,
        cursor=cursor,
    )
