"""The README's screenshots are what ``screenshots/make.py`` makes, byte for byte: running it
again (another process, another hash seed, another day) changes nothing in the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "screenshots"


def test_making_the_screenshots_again_gives_the_same_bytes(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONHASHSEED": "4242", "TZ": "Pacific/Auckland"}
    done = subprocess.run(
        [sys.executable, str(SHOTS / "make.py"), str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    made = sorted(path.name for path in tmp_path.glob("*.svg"))
    assert made == sorted(path.name for path in SHOTS.glob("*.svg"))
    changed = [
        name for name in made if (tmp_path / name).read_bytes() != (SHOTS / name).read_bytes()
    ]
    assert changed == [], f"regenerate with: python screenshots/make.py ({changed})"
