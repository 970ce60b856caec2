"""The team box, for real: two Unix users log in to a real sshd, each with two sessions at
once (an interactive one in their own tmux, and a cron-like loop of ``personae post`` and
``personae sync``). Nothing may be lost or sent twice, no session may see "database is
locked", neither user may read the other's store, and nothing lands in the shared /tmp."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from tests.support.sshd import BoxUser, TeamBox

from .conftest import PERSONAE, OpenTerminal, target

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

ROUNDS = 6  # per session: every round queues one post (and, interactively, saves a draft)


def session_script(lines: list[str], log: str) -> str:
    """A remote shell script that runs ``lines`` ROUNDS times, logging to ~/``log``."""
    body = "\n".join(f'  {line} || echo "FAILED: {line}"' for line in lines)
    return f"for i in $(seq 1 {ROUNDS}); do\n{body}\ndone > ~/{log} 2>&1\necho DONE >> ~/{log}\n"


INTERACTIVE = session_script(
    [
        f'{PERSONAE} draft Family "family draft $i, kept as a draft"',
        f'{PERSONAE} post Family "family post $i, from the interactive session"',
    ],
    "interactive.log",
)
CRON = session_script(
    [
        f'{PERSONAE} post Work "work post $i, queued by the cron session"',
        f"{PERSONAE} sync",
    ],
    "cron.log",
)


def put_file(box: TeamBox, user: BoxUser, name: str, text: str) -> None:
    done = box.run(user, f"umask 077; cat > ~/{name}", stdin=text)
    assert done.returncode == 0, done.stderr


def read_log(box: TeamBox, user: BoxUser, name: str) -> str:
    return box.run(user, f"cat ~/{name}").stdout


def published_texts(user: BoxUser, handle: str) -> list[str]:
    """The posts that reached the local target, one per file, as the 'server' holds them."""
    folder = target(user, handle)
    return sorted(json.loads(p.read_text())["text"] for p in folder.glob("*.json"))


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.5)


def test_two_users_with_two_sessions_each_lose_nothing_and_send_each_post_once(
    box: TeamBox, terminal: OpenTerminal
):
    tmp_before = box.tmp_entries()
    for user in box.users:
        put_file(box, user, "interactive.sh", INTERACTIVE)
        put_file(box, user, "cron.sh", CRON)
    started = time.monotonic()
    # Session 1: ssh -t into the user's own tmux server (its socket in the user's home).
    windows = [
        terminal(user, "TMUX_TMPDIR=$HOME tmux new-session -s main 'bash ~/interactive.sh'")
        for user in box.users
    ]
    # Session 2, at the same time: a cron-like loop over a plain ssh connection.
    crons = [
        subprocess.Popen(
            box.ssh_argv(user, "bash ~/cron.sh"),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for user in box.users
    ]
    for cron in crons:
        cron.communicate(timeout=240)
    for user in box.users:
        wait_until(
            lambda u=user: read_log(box, u, "interactive.log").endswith("DONE\n"),
            240,
            f"{user.name}'s interactive session",
        )
    elapsed = time.monotonic() - started
    for user in box.users:  # one more sync sends whatever the last round queued
        final = box.run(user, f"{PERSONAE} sync", timeout=120)
        assert final.returncode == 0, final.stdout + final.stderr

    for user in box.users:
        logs = read_log(box, user, "interactive.log") + read_log(box, user, "cron.log")
        assert "FAILED" not in logs, logs
        assert "locked" not in logs and "busy" not in logs, logs
        drafts = json.loads(box.run(user, f"{PERSONAE} drafts Family --json").stdout)
        assert sorted(d["text"] for d in drafts) == sorted(
            f"family draft {i}, kept as a draft" for i in range(1, ROUNDS + 1)
        )
        assert published_texts(user, "work") == sorted(
            f"work post {i}, queued by the cron session" for i in range(1, ROUNDS + 1)
        )
        assert published_texts(user, "family") == sorted(
            f"family post {i}, from the interactive session" for i in range(1, ROUNDS + 1)
        )
        outbox = json.loads(box.run(user, f"{PERSONAE} outbox --json").stdout)
        assert {entry["state"] for entry in outbox} == {"sent"}
        assert len(outbox) == 2 * ROUNDS
    assert box.tmp_entries() == tmp_before  # nothing of theirs in /tmp, /var/tmp, /dev/shm
    assert elapsed < 240
    assert len(windows) == 2


def test_each_users_store_is_unreadable_by_the_other(box: TeamBox):
    alice, bob = box.users
    store = alice.home / ".local" / "share" / "personae"
    for path in (store, store / "personae.db", alice.home / ".personae-passphrase"):
        done = box.run(bob, f"cat {path}")
        assert done.returncode != 0
        assert "Permission denied" in done.stderr  # refused, not merely encrypted
    listing = box.run(bob, f"ls {store}")
    assert "Permission denied" in listing.stderr
    published = box.run(bob, f"ls {target(alice, 'work')}")
    assert "Permission denied" in published.stderr


def test_a_store_made_readable_to_others_is_refused_with_the_fix(box: TeamBox):
    alice = box.users[0]
    store = alice.home / ".local" / "share" / "personae"
    box.run(alice, f"chmod 755 {store}")
    try:
        done = box.run(alice, f"{PERSONAE} persona list")
        assert done.returncode == 1
        assert f"fix it with: chmod 700 {store}" in done.stderr
    finally:
        box.run(alice, f"chmod 700 {store}")


def test_doctor_reports_a_healthy_box_in_an_80x24_ssh_terminal(
    box: TeamBox, terminal: OpenTerminal
):
    user = box.users[1]
    window = terminal(user, f"{PERSONAE} doctor; echo EXIT=$?", size=(80, 24))
    window.wait_for(r"EXIT=\d", timeout=60)
    screen = window.history()
    assert "EXIT=0" in screen, screen
    joined = " ".join(screen.split())  # the 80-column pane wraps long lines
    for check in ("store permissions", "store opens", "terminal", "TERM", "colours"):
        assert f"ok {check}:" in joined, screen
    assert "ok terminal size: 80x24" in joined, screen
    assert "account Work/work: local server" in joined, screen


def test_the_passphrase_file_and_store_stay_private_after_all_sessions(box: TeamBox):
    for user in box.users:
        store = user.home / ".local" / "share" / "personae"
        assert oct(store.stat().st_mode & 0o777) == "0o700"
        for path in [*store.iterdir(), user.home / ".personae-passphrase"]:
            assert path.stat().st_uid == user.uid
            assert path.stat().st_mode & 0o077 == 0, path
