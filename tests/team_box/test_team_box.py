"""The team box, for real: two Unix users log in to a real sshd, each with two sessions at
once (the app in their own tmux over ``ssh -t``, and a cron-like loop of ``personae post``
and ``personae sync``). Nothing may be lost or sent twice, no session may see "database is
locked", neither user may read the other's store, and nothing lands in the shared /tmp.
Then: the header read by capture-pane in several terminals, a dropped connection, and the
idle auto-lock, all over ssh."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.sshd import BoxUser, TeamBox, processes_of
from tests.team_box.conftest import PASSPHRASE, PERSONAE, OpenTerminal, Terminal, target

pytestmark = [pytest.mark.slow, pytest.mark.sshd, pytest.mark.tmux, pytest.mark.timeout(300)]

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
    """Swap to Family (key 2), then per round: open the editor (c), type a draft, let it
    autosave, start a new one (ctrl+n), type a post, publish it (ctrl+s), confirm (y) and
    see it in the outbox the app then shows. Swap back (-) and quit. Returns the screens."""
    screens = [unlock(window)]
    window.keys("2")
    screens.append(window.wait_for(r"Family +persona 2/2"))
    for i in range(1, rounds + 1):
        window.keys("c")
        window.wait_for("0/500 chars")
        window.wait_for("Leave editor")  # the editor has the focus: type into it
        window.type(draft_text(i))
        time.sleep(1.5)  # the autosave runs every 0.5 s
        window.keys("C-n")
        screens.append(window.wait_for("0/500 chars"))
        window.type(post_text(i))
        window.wait_for(f"{len(post_text(i))}/500 chars")
        window.keys("C-s")
        screens.append(window.wait_for(r"Publish\?"))
        window.keys("y")
        screens.append(window.wait_for(rf"family +(queued|sending|sent) .*family post {i},"))
    window.type("-")  # back to the previous persona
    screens.append(window.wait_for(r"Work +persona 1/2"))
    window.keys("q")
    return screens


def files_in(home: Path) -> set[str]:
    """Every path under a home directory, relative to it."""
    return {str(path.relative_to(home)) for path in home.rglob("*")}


def outside_own_dirs(user: BoxUser, paths: set[str]) -> set[str]:
    """The paths that are neither personae's store nor what the test itself put there
    (its scripts and logs, the local target, the user's tmux socket folder)."""
    own = (".local/share/personae", "published", "cron.", f"tmux-{user.uid}")
    return {p for p in paths if not p.startswith(own) and p not in (".local", ".local/share")}


def test_two_users_with_two_sessions_each_lose_nothing_and_send_each_post_once(
    box: TeamBox, terminal: OpenTerminal
):
    tmp_before = box.tmp_entries()
    homes_before = {user.name: files_in(user.home) for user in box.users}
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
    for user in box.users:  # and in their homes, nothing beside the store
        assert not outside_own_dirs(user, files_in(user.home) - homes_before[user.name])
    assert elapsed < 240


def wait_until(
    condition: Callable[[], bool],
    timeout: float,
    what: str,
    show: Callable[[], str] = lambda: "",
) -> None:
    """Poll ``condition``; on timeout fail, naming ``what`` and what ``show`` returns."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}; {show()}")
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


# -- terminals --------------------------------------------------------------------------------

TERMINALS = [  # TERM, NO_COLOR, columns x lines
    ("xterm-256color", False, (80, 24)),
    ("screen-256color", False, (80, 24)),
    ("xterm", False, (80, 24)),
    ("xterm-256color", True, (80, 24)),
    ("xterm", False, (120, 40)),
    ("screen-256color", True, (120, 40)),
]


def colours_used(screen: str) -> set[str]:
    """The colours a screen's SGR sequences set: "16:N", "256:N" or "rgb:R,G,B"."""
    found = set()
    for params in re.findall(r"\x1b\[([0-9;]*)m", screen):
        codes = [int(c) if c else 0 for c in params.split(";")]
        i = 0
        while i < len(codes):
            code = codes[i]
            if code in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
                found.add(f"256:{codes[i + 2]}")
                i += 3
            elif code in (38, 48) and i + 4 < len(codes) and codes[i + 1] == 2:
                found.add(f"rgb:{codes[i + 2]},{codes[i + 3]},{codes[i + 4]}")
                i += 5
            else:
                if 30 <= code <= 37 or 40 <= code <= 47 or 90 <= code <= 97 or 100 <= code <= 107:
                    found.add(f"16:{code}")
                i += 1
    return found


def is_grey(colour: str) -> bool:
    kind, _, value = colour.partition(":")
    if kind == "16":
        return int(value) % 10 in (0, 7)  # black, white and their bright forms
    if kind == "rgb":
        return len(set(value.split(","))) == 1
    n = int(value)
    if n < 16:
        return n in (0, 7, 8, 15)
    if n >= 232:
        return True
    r, g, b = (n - 16) // 36, (n - 16) // 6 % 6, (n - 16) % 6
    return r == g == b


@pytest.mark.parametrize(("term", "no_color", "size"), TERMINALS)
def test_the_identity_header_is_legible_in_every_terminal(
    box: TeamBox, terminal: OpenTerminal, term: str, no_color: bool, size: tuple[int, int]
):
    user = box.users[0]
    window = terminal(user, "personae", term=term, size=size, no_color=no_color)
    unlock(window)
    screen = window.wait_for(r"\^p palette", timeout=10).splitlines()  # the footer
    assert re.search(rf"Work +persona 1/2 +{user.name}@", screen[0]), screen[0]
    assert "posts go to: work (local)" in screen[1]
    assert "t Timeline" in screen[2]  # the view bar
    window.keys("2")
    screen = window.wait_for(r"Family +persona 2/2").splitlines()
    assert "Family" in screen[0] and "posts go to: family (local)" in screen[1]
    colours = colours_used(window.screen(escapes=True))
    if no_color:
        assert colours and all(is_grey(c) for c in colours), colours
    elif term == "xterm":
        assert colours and all(c.startswith("16:") for c in colours), colours
    else:
        assert any(not is_grey(c) for c in colours), colours  # the persona's band
    window.keys("q")
    wait_until(lambda: not window.alive(), 20, "the app to quit")


# -- session lifecycle ------------------------------------------------------------------------


def app_processes(user: BoxUser) -> dict[int, str]:
    """The user's running ``personae`` processes: pid → command line."""
    return {pid: args for pid, args in processes_of(user.uid).items() if "bin/personae" in args}


def test_a_dropped_ssh_connection_loses_no_autosaved_draft_and_the_store_opens_cleanly(
    box: TeamBox, terminal: OpenTerminal
):
    user = box.users[1]
    text = "half-written thought, autosaved before the line dropped"
    others = set(app_processes(user))
    window = terminal(user, "personae")
    unlock(window)
    ours = set(app_processes(user)) - others
    assert len(ours) == 1
    window.keys("c")
    window.wait_for("0/500 chars")
    window.type(text)
    window.wait_for(f"{len(text)}/500 chars")

    def autosaved() -> bool:
        return text in box.run(user, f"{PERSONAE} drafts Work --json").stdout

    wait_until(autosaved, 10, "the draft to be autosaved")  # seen from a second session
    os.kill(window.client_pid(), signal.SIGKILL)  # the line drops: no goodbye from the client
    wait_until(lambda: not window.alive(), 10, "the ssh client to die")
    wait_until(
        lambda: not ours & set(app_processes(user)),
        20,
        "the app to end with its session",
        lambda: f"still running: {app_processes(user)}",
    )

    doctor = box.run(user, f"PERSONAE_NETWORKS=local {PERSONAE} doctor --json")
    checks = {c["name"]: c["status"] for c in json.loads(doctor.stdout)}
    assert checks["store permissions"] == checks["store opens"] == checks["unlock"] == "ok"
    drafts = json.loads(box.run(user, f"{PERSONAE} drafts Work --json").stdout)
    assert [d["text"] for d in drafts].count(text) == 1
    window = terminal(user, "personae")
    unlock(window)
    window.keys("d")
    window.wait_for(re.escape(text[:40]))  # in the Work persona's draft list
    window.keys("q")


def test_idle_auto_lock_over_ssh_returns_to_the_unlock_screen(box: TeamBox, terminal: OpenTerminal):
    user = box.users[0]
    put_file(box, user, "quick-lock.toml", "auto_lock_seconds = 3\n")
    window = terminal(user, "PERSONAE_CONFIG=~/quick-lock.toml personae")
    unlock(window)
    unlocked_at = time.monotonic()
    screen = window.wait_for("Unlock personae", timeout=20)
    assert time.monotonic() - unlocked_at >= 2  # idle for the configured 3 s, not sooner
    header = screen.splitlines()[0]
    assert "locked" in header.lower() and "Work" not in header
    unlock(window)  # the same session carries on after the passphrase
    window.keys("q")
    wait_until(lambda: not window.alive(), 20, "the app to quit")
