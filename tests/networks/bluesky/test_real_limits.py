"""The real PDS with its rate limits on and no AppView configured, as a small self-hosted PDS
may run: the 31st login in five minutes is refused with 429, and there is no timeline."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from personae.networks.base import Source
from personae.networks.errors import RateLimited
from tests.networks.bluesky.conftest import _started
from tests.support.pds import LocalPds, running_pds

pytestmark = [pytest.mark.slow, pytest.mark.pds]


@pytest.fixture(scope="module")
def strict_pds() -> Iterator[LocalPds]:
    servers = running_pds(PDS_RATE_LIMITS_ENABLED="true")
    yield _started(servers)
    servers.__exit__(None, None, None)


def test_too_many_logins_are_rate_limited_with_the_servers_wait(strict_pds, bluesky):
    carol = strict_pds.create_account("carol.test", "carol-password-1")
    source = Source(url=strict_pds.url, handle=carol.handle, secret=carol.password)
    for _ in range(30):  # the PDS allows 30 logins per handle in five minutes
        bluesky.verify(source)

    with pytest.raises(RateLimited) as limited:
        bluesky.verify(source)

    assert limited.value.retry
    assert 0 < limited.value.retry_after <= 300
    assert str(limited.value).startswith(f"localhost:{strict_pds.port} is rate-limiting logging in")


def test_a_pds_without_an_appview_has_no_timeline_and_says_so(strict_pds, bluesky):
    dave = strict_pds.create_account("dave.test", "dave-password-1")
    read = bluesky.fetch(Source(url=strict_pds.url, handle=dave.handle, secret=dave.password))
    assert read.items == []
    assert read.warnings == [f"localhost:{strict_pds.port} offers no home timeline (no AppView)"]
