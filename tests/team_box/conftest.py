"""A team box for the tests in this folder: a real sshd, two Unix users with their own
stores, and terminals (tmux on the test's side) that log in with ``ssh -t``."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.prereqs import require_tool
from tests.support.sshd import BoxUser, TeamBox, shell, team_box

PASSPHRASE = "team box passphrase, long enough"
PASS_FILE = "~/.personae-passphrase"  # 0600 in the user's home, as cron would use it
PERSONAE = f"personae --passphrase-file {PASS_FILE}"
PERSONAS = ("Work", "Family")


def target(user: BoxUser, handle: str) -> Path:
    """The local publishing target's folder for one account (the 'server')."""
    return user.home / "published" / handle


def provision(box: TeamBox, user: BoxUser) -> None:
    """Give ``user`` a store with two personas, each with one local publishing account.
    The passphrase travels on stdin, never on a command line others could see in ps."""
    done = box.run(user, f"umask 077; cat > {PASS_FILE}", stdin=PASSPHRASE + "\n")
    assert done.returncode == 0, done.stderr
    steps = [f"{PERSONAE} init"]
    for persona in PERSONAS:
        handle = persona.lower()
        steps.append(f"{PERSONAE} persona add {persona}")
        steps.append(
            f"{PERSONAE} account add {persona} local --handle {handle} --server ~/published"
        )
    done = box.run(user, " && ".join(steps), timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def box() -> Iterator[TeamBox]:
    """sshd and two users, each with a store; removed after the module's tests."""
    with team_box(users=2) as running:
        for user in running.users:
            provision(running, user)
        yield running


class Terminal:
    """One terminal window on the test's side (a tmux pane of the given size), whose
    program is an ``ssh -t`` login to the box."""

    def __init__(self, socket: Path, name: str) -> None:
        self.socket, self.name = socket, name

    def tmux(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["tmux", "-S", str(self.socket), *args], capture_output=True, text=True, timeout=10
        )

    def screen(self, *, escapes: bool = False) -> str:
        """The visible text; with ``escapes``, also the colour and style sequences."""
        flags = ["-e"] if escapes else []
        return self.tmux("capture-pane", "-p", *flags, "-t", self.name).stdout

    def history(self) -> str:
        """Everything the window showed, scrolled-off lines included."""
        return self.tmux("capture-pane", "-p", "-S", "-", "-t", self.name).stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        self.tmux("send-keys", "-t", self.name, *(["-l"] if literal else []), *keys)

    def type(self, text: str) -> None:
        self.keys(text, literal=True)

    def wait_for(self, pattern: str, timeout: float = 30, *, gone: bool = False) -> str:
        """The screen once ``pattern`` (a regex) shows on it (or, with ``gone``, once it no
        longer does); fails with the screen if that takes longer than ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if bool(re.search(pattern, screen)) != gone:
                return screen
            if time.monotonic() > deadline:
                pytest.fail(f"{pattern!r} did not show within {timeout} s; screen:\n{screen}")
            time.sleep(0.2)

    def client_pid(self) -> int:
        """The pid of the ssh client running in this window (the pane's process or a child)."""
        pid = int(self.tmux("display-message", "-p", "-t", self.name, "#{pane_pid}").stdout)
        while Path(f"/proc/{pid}/comm").read_text().strip() != "ssh":
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            assert children, f"no ssh client under pid {pid}"
            pid = int(children[0])
        return pid

    def alive(self) -> bool:
        out = self.tmux("display-message", "-p", "-t", self.name, "#{pane_dead}").stdout
        return out.strip() == "0"


OpenTerminal = Callable[..., Terminal]


@pytest.fixture
def terminal(box: TeamBox, tmp_path: Path) -> Iterator[OpenTerminal]:
    """Open terminal windows: ``terminal(user, command, term=..., size=(80, 24),
    no_color=False)`` logs ``user`` in with ``ssh -t`` and runs ``command``."""
    require_tool("tmux", "tmux")
    sock = tmp_path / "tmux.sock"  # the test's own tmux server, not in the shared /tmp
    config = tmp_path / "tmux.conf"
    config.write_text(
        "set -g remain-on-exit on\nset -g history-limit 5000\nset -sg escape-time 0\n"
    )
    opened: list[Terminal] = []

    def open_terminal(
        user: BoxUser,
        command: str,
        *,
        term: str = "xterm-256color",
        size: tuple[int, int] = (80, 24),
        no_color: bool = False,
    ) -> Terminal:
        name = f"t{len(opened)}"
        env = ["env", f"TERM={term}"] + (["NO_COLOR=1"] if no_color else [])
        ssh = env + box.ssh_argv(user, command, tty=True)
        window = Terminal(sock, name)
        result = window.tmux(
            "-f",
            str(config),
            "new-session",
            "-d",
            "-s",
            name,
            "-x",
            str(size[0]),
            "-y",
            str(size[1]),
            shell(*ssh),
        )
        assert result.returncode == 0, result.stderr
        opened.append(window)
        return window

    yield open_terminal
    if opened:
        subprocess.run(["tmux", "-S", str(sock), "kill-server"], capture_output=True, timeout=10)
