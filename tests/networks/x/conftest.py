"""Fixtures for the X adapter: one X double for the session (its OpenAPI spec and cassettes
read from ../shared/specs), reset to its seed before each test and checked after it: a
request or answer that broke X's published spec fails the test."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from personae.networks.base import Source
from personae.networks.webapi import Limits
from personae.networks.x import XNetwork
from tests.support.specs import specs
from tests.support.x_double import XDouble

# Short enough that a slow-answer test takes a second, long enough for a loaded machine.
TEST_LIMITS = Limits(connect=2.0, read=1.0, total=5.0, max_bytes=256 * 1024)


@pytest.fixture(scope="session")
def running_x() -> Iterator[XDouble]:
    with XDouble(specs("x", "openapi.json"), specs("x", "cassettes")) as double:
        yield double


@pytest.fixture
def double(running_x: XDouble) -> Iterator[XDouble]:
    running_x.reset()
    yield running_x
    assert running_x.violations == []


@pytest.fixture
def x() -> Iterator[XNetwork]:
    adapter = XNetwork(TEST_LIMITS)
    yield adapter
    adapter.close()


def account(double: XDouble, login: str = "alice", cursor: str = "") -> Source:
    """``login``'s account as the store keeps it after ``verify``: an access token given
    by hand, and the session holding the user's id."""
    user = double.user(login)
    session = json.dumps({"user_id": user.id, "username": user.username})
    return Source(
        url=double.url,
        handle=f"@{user.username}",
        secret=double.token(login),
        session=session,
        cursor=cursor,
    )
