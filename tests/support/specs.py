"""The published API specs the network doubles follow, read from ../shared/specs at test
time (never copied into the repository): the twin of tests/conftest.py's ``corpus()``."""

from __future__ import annotations

from pathlib import Path

import pytest

SPECS = Path(__file__).resolve().parents[2].parent / "shared" / "specs"


def specs(*parts: str) -> Path:
    """A path in ../shared/specs; the test is skipped when the specs are absent."""
    path = SPECS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"published API specs not available at {path}")
    return path
