"""Fixtures for the LinkedIn adapter: one LinkedIn double for the session, reset to its
seed before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from personae.networks.base import Source
from personae.networks.linkedin import LinkedInNetwork, LinkedInSession
from personae.networks.webapi import Limits
from tests.support.linkedin_double import LinkedInDouble

TEST_LIMITS = Limits(connect=2.0, read=1.0, total=5.0, max_bytes=256 * 1024)


@pytest.fixture(scope="session")
def running_linkedin() -> Iterator[LinkedInDouble]:
    with LinkedInDouble() as double:
        yield double


@pytest.fixture
def double(running_linkedin: LinkedInDouble) -> LinkedInDouble:
    running_linkedin.reset()
    return running_linkedin


@pytest.fixture
def linkedin() -> Iterator[LinkedInNetwork]:
    adapter = LinkedInNetwork(TEST_LIMITS)
    yield adapter
    adapter.close()


def account(
    double: LinkedInDouble, login: str = "alice", author: str = "", read: bool = True
) -> Source:
    """``login``'s account as stored after ``verify``: the token, and the author URN
    (the member, or a page) in handle and session."""
    author = author or double.person(login)
    session = LinkedInSession(author=author, expires_at=0.0).to_json()
    return Source(url=double.url, handle=author, secret=double.token(login, read), session=session)
