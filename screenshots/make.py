"""Make the README's screenshots from the real app: ``python screenshots/make.py [DIR]``.

Each SVG is the demo (its real store, feeds and guard terms, in a private temporary
directory) driven by the keys a user would press, with a fixed clock, user, host and time
zone. The same code makes the same bytes: the SVG's class names come from the shot's name,
not from Rich's hash of the drawn segments (which changes with how a line happens to be
split into segments even when it looks the same), so regenerating makes no diff."""

from __future__ import annotations

import asyncio
import os
import re
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from personae.store import KdfParams, Store  # noqa: E402
from personae.tui.app import PersonaeApp  # noqa: E402
from personae.tui.config import Config  # noqa: E402
from personae.tui.demo import PASSPHRASE, populate  # noqa: E402

FIXED_NOW = 1741946400.0  # 2025-03-14 10:00 UTC, an hour after the newest demo item
SIZE = (100, 30)
SHOTS = {
    "unlock": ["ctrl+l"],
    "timeline": [],
    "switcher": ["s"],
    "compose-confirm": ["2", "c", *"Two dozen #cookies for the #bakesale", "ctrl+s"],
    "guard": ["2", "c", *"See you at the #ProjectSMT demo!", "ctrl+s"],
    "outbox": ["c", *"Slides for the #ProjectSMT review are up", "ctrl+s", "y", "escape", "o"],
    "personas": ["p"],
    "item": ["enter"],
    "keys": ["question_mark"],
}


async def shoot(name: str, keys: list[str], root: Path, out: Path) -> Path:
    store = Store.create(root / name / "store", PASSPHRASE, kdf=KdfParams.cheap())
    populate(store, root / name / "published", "http://127.0.0.1:8765")
    app = PersonaeApp(
        store=store,
        config=Config(auto_lock_seconds=0),
        clock=lambda: FIXED_NOW,
        user="dan",
        host="acmebox",
    )
    async with app.run_test(size=SIZE) as pilot:
        for key in keys:
            await pilot.press(key)
        await pilot.pause(0.3)
        svg = app.export_screenshot()
    store.close()
    path = out / f"{name}.svg"
    path.write_text(stable_ids(svg, name), encoding="utf-8")
    return path


def stable_ids(svg: str, name: str) -> str:
    """The SVG with Rich's content-hash prefix (``terminal-123…``) replaced by one made of
    the shot's name."""
    return re.sub(r"\bterminal-\d+", f"personae-{name}", svg)


async def main(out: Path) -> None:
    os.environ["PERSONAE_CONFIG"] = os.devnull  # the user's own config must not show
    os.environ["TZ"] = "UTC"  # the item view shows local time
    time.tzset()
    with tempfile.TemporaryDirectory(prefix="personae-shots-") as root:
        for name, keys in SHOTS.items():
            print(await shoot(name, keys, Path(root), out))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE))
