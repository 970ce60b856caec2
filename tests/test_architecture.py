"""The shape of the code: layers point one way, style is clean, heavy libraries load late."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_layers_point_one_way_tui_networks_store() -> None:
    done = _run(str(BIN / "lint-imports"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "broken" not in done.stdout.replace("0 broken", "")


def test_ruff_finds_nothing() -> None:
    done = _run(str(BIN / "ruff"), "check", ".")
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize(
    ("module", "absent"),
    [
        ("tui.cli", ["textual", "atproto", "mastodon", "feedparser", "httpx"]),
        ("networks.registry", ["atproto", "mastodon", "feedparser"]),
        ("networks.bluesky", ["atproto"]),
        ("networks.mastodon", ["mastodon"]),
    ],
)
def test_heavy_libraries_are_imported_only_when_used(module: str, absent: list[str]) -> None:
    """`personae draft` in a cron job should not pay for the app or every network's client."""
    code = f"import sys, {module}; print(' '.join(m for m in {absent!r} if m in sys.modules))"
    done = _run(sys.executable, "-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []
