"""Crash safety: SIGKILL the publishing process (and a drafting one) at random moments,
against the real local PDS and the Mastodon double; then every queued post is published
exactly once per account, no committed draft is lost, and the database is intact.
A longer run with figures: ``python -m benchmarks.crash_drill``."""

from __future__ import annotations

import pytest

from tests.support.crash_drill import run_drill

pytestmark = [pytest.mark.slow, pytest.mark.pds]


@pytest.mark.timeout(300)
def test_sigkill_at_random_moments_loses_nothing_and_publishes_nothing_twice(
    tmp_path, pds, double
) -> None:
    result = run_drill(tmp_path, pds, double, posts=15, kills=12, seed=7)
    assert result.problems() == []
    assert result.kills >= 3  # the drill really killed something before it all went out
    assert result.drafts_confirmed > 0
