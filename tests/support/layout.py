"""The installed layout for static tools. The folders store/, networks/ and tui/ install as
personae.store, personae.networks and personae.tui through setuptools' package-dir mapping;
an editable install resolves that mapping with an import hook, which import-linter and mypy
do not run. They read a tree of links that has the installed shape instead."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("store", "networks", "tui")


def linked_tree(where: Path) -> Path:
    """``where/personae/{store,networks,tui}`` as links to the checkout's folders; returns
    ``where``, the directory to put on the tools' path."""
    package = where / "personae"
    package.mkdir(parents=True, exist_ok=True)
    for name in PACKAGES:
        link = package / name
        if not link.exists():
            link.symlink_to(ROOT / name, target_is_directory=True)
    return where
