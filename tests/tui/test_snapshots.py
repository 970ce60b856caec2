"""What the main screens look like, at 80x24 (the smallest usable terminal) and 120x40.

The app runs on the demo's data with a fixed clock, user and host, so every run draws the
same picture. Regenerate deliberately with ``pytest tests/tui --snapshot-update`` and
review the SVG diff."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.tui.conftest import make_app

SIZES = [(80, 24), (120, 40)]
# Each scene: the keys that lead to it from the start (the first persona's timeline).
SCENES = {
    "timeline": [],
    "unlock": ["ctrl+l"],
    "switcher": ["s"],
    "compose_confirm": ["2", "c", *"Warm #cookies", "ctrl+s"],
    "guard_findings": ["2", "c", *"#ProjectSMT demo", "ctrl+s"],
    "outbox": ["c", *"Release notes are out", "ctrl+s", "y", "escape", "o"],
    "personas": ["p"],
    "drafts_all": ["d", "a"],
    "other_persona": ["d", "a", "enter", "ctrl+s"],
    "item": ["enter"],
    "keys": ["question_mark"],
}


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The item view shows local time: the recorded one is UTC."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("scene", list(SCENES))
def test_screen_looks_as_recorded(snap_compare, demo_store, scene, size):
    app = make_app(demo_store)
    assert snap_compare(app, press=SCENES[scene], terminal_size=size)
