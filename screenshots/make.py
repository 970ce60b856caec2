"""Make the README's screenshots from the real app: ``python screenshots/make.py``.

Each SVG is the demo (its real store, feeds and guard terms, in a private temporary
directory) driven by the keys a user would press, with a fixed clock, user and host."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
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
}


async def shoot(name: str, keys: list[str], root: Path) -> Path:
    store = Store.create(root / name / "store", PASSPHRASE, kdf=_cheap())
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
        app.save_screenshot(f"{name}.svg", path=str(HERE))
    store.close()
    return HERE / f"{name}.svg"


def _cheap() -> KdfParams:
    return KdfParams.cheap()


async def main() -> None:
    os.environ["PERSONAE_CONFIG"] = os.devnull  # the user's own config must not show
    with tempfile.TemporaryDirectory(prefix="personae-shots-") as root:
        for name, keys in SHOTS.items():
            print(await shoot(name, keys, Path(root)))


if __name__ == "__main__":
    asyncio.run(main())
