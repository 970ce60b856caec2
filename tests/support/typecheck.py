"""Type-check the installed layout: ``python -m tests.support.typecheck [mypy options]``.

mypy cannot run the editable install's import hook, so it reads a tree of links shaped like
the installed package (see layout.py). Settings are in pyproject.toml: strict on
personae.store and personae.networks, mypy's defaults on personae.tui."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from tests.support.layout import ROOT, linked_tree

PACKAGES = ("personae.store", "personae.networks", "personae.tui")


def typecheck(where: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """mypy over the three packages, from a linked tree made in ``where``."""
    tree = linked_tree(where)
    command = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml")]
    command += ["--cache-dir", str(where / ".mypy_cache"), *options]
    for package in PACKAGES:
        command += ["-p", package]
    return subprocess.run(command, cwd=tree, capture_output=True, text=True, timeout=600)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        done = typecheck(Path(folder), *sys.argv[1:])
    print(done.stdout + done.stderr, end="")
    sys.exit(done.returncode)
