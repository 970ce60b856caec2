"""Fixtures for the Mastodon adapter; the mastodon-mock double (``double``) comes from
tests/conftest.py: one process for the session, reset to its seed before each test."""

from __future__ import annotations

import pytest

from personae.networks.mastodon import MastodonNetwork


@pytest.fixture
def mastodon() -> MastodonNetwork:
    """The adapter, with short timeouts so a slow-answer test stays quick."""
    return MastodonNetwork(timeout=(5.0, 5.0))
