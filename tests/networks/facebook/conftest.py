"""Fixtures for the Facebook Pages adapter: one Graph API double for the session (its node
specs read from ../shared/specs), reset before each test."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from personae.networks.base import Source
from personae.networks.facebook import FacebookNetwork
from personae.networks.webapi import Limits
from tests.support.facebook_double import FacebookDouble
from tests.support.specs import specs

TEST_LIMITS = Limits(connect=2.0, read=1.0, total=5.0, max_bytes=256 * 1024)


@pytest.fixture(scope="session")
def running_facebook() -> Iterator[FacebookDouble]:
    with FacebookDouble(specs("facebook")) as double:
        yield double


@pytest.fixture
def double(running_facebook: FacebookDouble) -> FacebookDouble:
    running_facebook.reset()
    return running_facebook


@pytest.fixture
def facebook() -> Iterator[FacebookNetwork]:
    adapter = FacebookNetwork(TEST_LIMITS)
    yield adapter
    adapter.close()


def account(double: FacebookDouble, page: str = "Acme Coffee", cursor: str = "") -> Source:
    """A page's account as stored after ``verify``: its page token and its id."""
    session = json.dumps({"page_id": double.page_id(page), "name": page})
    return Source(
        url=double.url, handle=page, secret=double.page_token(page), session=session, cursor=cursor
    )
