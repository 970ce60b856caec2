"""The team box, for real: two Unix users log in to a real sshd, each with two sessions at
once (an interactive one in their own tmux, and a cron-like loop of ``personae post`` and
``personae sync``). Nothing may be lost or sent twice, no session may see "database is
locked", neither user may read the other's store, and nothing lands in the shared /tmp."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.sshd import BoxUser, TeamBox

from .conftest import PASSPHRASE, PERSONAE, OpenTerminal, Terminal, target

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

CRON_ROUNDS = 6  # the cron session queues one Work post and syncs, this many times
APP_ROUNDS = 3  # the app saves one Family draft and queues one Family post, this many times
ERRORS = ("database is locked", "stayed busy", "FAILED", "Traceback")

CRON = f"""for i in $(seq 1 {CRON_ROUNDS}); do
  {PERSONAE} post Work "work post $i, queued by the cron session" || echo "FAILED post $i"
  {PERSONAE} sync || echo "FAILED sync $i"
done > ~/cron.log 2>&1
echo DONE >> ~/cron.log
"""


def draft_text(i: int) -> str:
    return f"family draft {i}, kept as a draft"


def post_text(i: int) -> str:
    return f"family post {i}, queued in the app"


def work_text(i: int) -> str:
    return f"work post {i}, queued by the cron session"


def put_file(box: TeamBox, user: BoxUser, name: str, text: str) -> None:
    done = box.run(user, f"umask 077; cat > ~/{name}", stdin=text)
    assert done.returncode == 0, done.stderr


def read_log(box: TeamBox, user: BoxUser, name: str) -> str:
    return box.run(user, f"cat ~/{name}").stdout


def published_texts(user: BoxUser, handle: str) -> list[str]:
    """The posts that reached the local target, one per file, as the 'server' holds them."""
    folder = target(user, handle)
    return sorted(json.loads(p.read_text())["text"] for p in folder.glob("*.json"))


def unlock(window: Terminal) -> str:
    """Type the passphrase on the unlock screen; the screen once the first persona shows."""
    window.wait_for("Unlock personae", timeout=60)
    window.type(PASSPHRASE)
    window.keys("Enter")
    return window.wait_for(r"Work +persona 1/2", timeout=60)


def draft_and_queue_in_the_app(window: Terminal, rounds: int) -> list[str]:
    """Swap to Family (key 2), then per round: type a draft, let it autosave, start a new
    one (ctrl+n), type a post, publish it (ctrl+s) and confirm (y). Returns the screens."""
    screens = [unlock(window)]
    window.keys("2")
    screens.append(window.wait_for(r"Family +persona 2/2"))
    window.keys("c")
    for i in range(1, rounds + 1):
        window.wait_for("0/500 chars")
        window.type(draft_text(i))
        time.sleep(1.5)  # the autosave runs every 0.5 s
        window.keys("C-n")
        screens.append(window.wait_for("0/500 chars"))
        window.type(post_text(i))
        window.wait_for(f"{len(post_text(i))}/500 chars")
        window.keys("C-s")
        screens.append(window.wait_for(r"Publish\?"))
        window.keys("y")
        window.wait_for(r"Publish\?", gone=True)
        screens.append(window.wait_for("0/500 chars"))
    window.keys("Escape")
    window.wait_for("Leave editor", gone=True)  # else "-" could arrive as alt+minus
    window.type("-")  # back to the previous persona
    screens.append(window.wait_for(r"Work +persona 1/2"))
    window.keys("q")
    return screens


def test_two_users_with_two_sessions_each_lose_nothing_and_send_each_post_once(
    box: TeamBox, terminal: OpenTerminal
):
    tmp_before = box.tmp_entries()
    for user in box.users:
        put_file(box, user, "cron.sh", CRON)
    started = time.monotonic()
    # Session 1: ssh -t into the user's own tmux server (its socket in the user's home).
    windows = [
        terminal(user, "TMUX_TMPDIR=$HOME tmux new-session -s main personae") for user in box.users
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
    with ThreadPoolExecutor(len(windows)) as pool:  # both users type at the same time
        screens = list(pool.map(lambda w: draft_and_queue_in_the_app(w, APP_ROUNDS), windows))
    for cron in crons:
        cron.communicate(timeout=240)
    for window in windows:
        wait_until(lambda w=window: not w.alive(), 30, "the app to quit and ssh to end")
    elapsed = time.monotonic() - started
    for user in box.users:  # one more sync sends whatever the last round queued
        final = box.run(user, f"{PERSONAE} sync", timeout=120)
        assert final.returncode == 0, final.stdout + final.stderr

    for user, shown in zip(box.users, screens, strict=True):
        output = read_log(box, user, "cron.log") + "\n".join(shown)
        assert output and not [e for e in ERRORS if e in output], output
        drafts = json.loads(box.run(user, f"{PERSONAE} drafts Family --json").stdout)
        assert sorted(d["text"] for d in drafts) == sorted(
            draft_text(i) for i in range(1, APP_ROUNDS + 1)
        )
        assert published_texts(user, "family") == sorted(
            post_text(i) for i in range(1, APP_ROUNDS + 1)
        )
        assert published_texts(user, "work") == sorted(
            work_text(i) for i in range(1, CRON_ROUNDS + 1)
        )
        outbox = json.loads(box.run(user, f"{PERSONAE} outbox --json").stdout)
        assert [entry["state"] for entry in outbox] == ["sent"] * (APP_ROUNDS + CRON_ROUNDS)
    assert box.tmp_entries() == tmp_before  # nothing of theirs in /tmp, /var/tmp, /dev/shm
    assert elapsed < 240


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.5)


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
