"""End to end: the installed ``personae --demo`` in a real terminal (tmux), driven by keys."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.prereqs import require, require_tool


def personae_command() -> str:
    """The console script installed next to this Python, else the one on PATH."""
    beside = Path(sys.executable).parent / "personae"
    found = str(beside) if beside.exists() else shutil.which("personae")
    require(found is not None, "the personae command is not installed (pip install -e .)")
    return found or ""


class Tmux:
    """One tmux server on a private socket, for one test."""

    def __init__(self, tmux: str, name: str, env: dict[str, str]) -> None:
        self.base = [tmux, "-L", name]
        self.env = env

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [*self.base, *args], env=self.env, capture_output=True, text=True, timeout=20
        )
        return done.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "app")

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{self.screen()}")

    def alive(self) -> bool:
        return (
            subprocess.run([*self.base, "has-session", "-t", "app"], env=self.env).returncode == 0
        )


@pytest.mark.slow
@pytest.mark.tmux
def test_demo_in_tmux_shows_the_persona_swaps_on_key_2_and_cleans_up(tmp_path):
    tmux_path = require_tool("tmux", "tmux")
    command = personae_command()
    env = {
        **os.environ,
        "PERSONAE_CONFIG": str(tmp_path / "none.toml"),
        "TERM": "xterm-256color",
        "TMUX_TMPDIR": str(tmp_path),
        "TMPDIR": str(tmp_path),  # where the demo makes its throwaway store
    }
    env.pop("TMUX", None)
    tmux = Tmux(tmux_path, f"personae-test-{os.getpid()}", env)
    try:
        tmux.run("new-session", "-d", "-s", "app", "-x", "100", "-y", "30", f"{command} --demo")
        first = tmux.wait_for("Dan @ Acme")
        assert len(list(tmp_path.glob("personae-demo-*"))) == 1
        assert "posts go to:" in first and "dan.acme" in first
        tmux.run("send-keys", "-t", "app", "2")
        second = tmux.wait_for("Cookie Dan")
        assert "Dan @ Acme" not in second.splitlines()[0]
        assert "cookiedan" in second
        tmux.run("send-keys", "-t", "app", "q")
        deadline = time.monotonic() + 15
        while tmux.alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not tmux.alive(), "the app did not quit on q"
        assert list(tmp_path.glob("personae-demo-*")) == [], "the demo store was left behind"
    finally:
        tmux.run("kill-server")
