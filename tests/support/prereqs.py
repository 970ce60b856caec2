"""System prerequisites (tmux, sshd, Node, PostgreSQL...): a developer without one gets a
skip that names it; CI sets PERSONAE_REQUIRE_ALL=1, which turns that skip into a failure."""

from __future__ import annotations

import os
import shutil

import pytest


def require(condition: bool, reason: str) -> None:
    """Skip (or, in CI, fail) the test when ``condition`` is false."""
    if condition:
        return
    if os.environ.get("PERSONAE_REQUIRE_ALL") == "1":
        pytest.fail(f"prerequisite missing in CI: {reason}")
    pytest.skip(reason)


def require_tool(name: str, package: str) -> str:
    """The path of a command, or a skip telling which Debian package provides it."""
    path = shutil.which(name)
    require(path is not None, f"{name} not installed (Debian package {package})")
    return path or ""
