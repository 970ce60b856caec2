"""Fixtures for the app's tests: the demo's data in a real store under tmp_path, and an
app with a fixed clock, user and host so that what it draws is the same on every run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from personae.store import KdfParams, Store
from personae.tui.app import PersonaeApp
from personae.tui.config import Config
from personae.tui.demo import PASSPHRASE, populate

# 2025-03-14 10:00 UTC: an hour after the demo feeds' newest item.
FIXED_NOW = 1741946400.0
FEED_BASE = "http://127.0.0.1:8765"


@pytest.fixture(autouse=True)
def no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own config file must not change what the tests see."""
    monkeypatch.setenv("PERSONAE_CONFIG", str(tmp_path / "no-such-config.toml"))


@pytest.fixture
def demo_store(tmp_path: Path) -> Iterator[Store]:
    """The demo's two personas, feeds, drafts and local publishing target."""
    store = Store.create(tmp_path / "store", PASSPHRASE, kdf=KdfParams.cheap())
    populate(store, tmp_path / "published", FEED_BASE)
    yield store
    store.close()


def make_app(store: Store | None = None, **overrides) -> PersonaeApp:
    settings = {
        "config": Config(auto_lock_seconds=0),
        "clock": lambda: FIXED_NOW,
        "user": "dan",
        "host": "acmebox",
    }
    settings.update(overrides)
    return PersonaeApp(store=store, **settings)


@pytest.fixture
def app(demo_store: Store) -> PersonaeApp:
    return make_app(demo_store)


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (through anyio's pytest plugin), as Textual does."""
    return "asyncio"
