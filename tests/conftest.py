"""Fixtures shared by every test: a real store in a real SQLite file under tmp_path, and
the real servers several test folders publish to (started once, on loopback)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from personae.store import KdfParams, Store
from tests.support.mastodon_double import MastodonDouble
from tests.support.pds import LocalPds, ServerUnavailable, running_pds
from tests.support.prereqs import require

PASSPHRASE = "correct horse battery staple"
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def store(store_dir: Path):
    opened = Store.create(store_dir, PASSPHRASE, kdf=KdfParams.cheap())
    yield opened
    opened.close()


@pytest.fixture
def work(store):
    return store.personas.add("Work", colour="blue", glyph="W")


@pytest.fixture
def family(store, work):
    return store.personas.add("Family", colour="orange", glyph="F")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that need the same heavy real server run on one worker (``--dist loadgroup``),
    which starts it once: the Bluesky PDS network, and sshd with its throwaway users."""
    for item in items:
        for server in ("pds", "sshd"):
            if item.get_closest_marker(server):
                item.add_marker(pytest.mark.xdist_group(server))
                break


def corpus(*parts: str) -> Path:
    """A path in ../shared/corpus; the test is skipped when the corpus is absent."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real-world corpus not available at {path}")
    return path


@pytest.fixture(scope="session")
def running_double() -> Iterator[MastodonDouble]:
    with MastodonDouble() as double:
        yield double


@pytest.fixture
def double(running_double: MastodonDouble) -> MastodonDouble:
    """The Mastodon double as seeded: alice follows bob; no statuses, no faults."""
    running_double.reset()
    return running_double


@pytest.fixture(scope="session")
def pds() -> Iterator[LocalPds]:
    """The reference Bluesky PDS on loopback; a missing install skips (fails in CI)."""
    servers = running_pds()
    try:
        started = servers.__enter__()
    except ServerUnavailable as missing:
        require(False, str(missing))
    yield started
    servers.__exit__(None, None, None)
