"""Two processes of one user (two SSH sessions) share the store without losing anything
and without "database is locked"."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from personae.store import Store, StoreBusy
from tests.conftest import PASSPHRASE

DRAFTER = textwrap.dedent(
    """
    import sys
    from personae.store import Store
    store = Store.open(sys.argv[1], sys.argv[2])
    persona = store.personas.find(sys.argv[3])
    print("ready", flush=True)
    sys.stdin.readline()  # both start writing at the same moment
    for n in range(int(sys.argv[4])):
        store.drafts.save(persona.id, f"{sys.argv[3]} draft {n}")
    store.close()
    """
)


def test_two_processes_drafting_at_once_lose_nothing(store, store_dir, work, family) -> None:
    store.close()
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", DRAFTER, str(store_dir), PASSPHRASE, name, "150"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("Work", "Family")
    ]
    for run in runs:
        assert run.stdout.readline().strip() == "ready"
    for run in runs:
        run.stdin.write("go\n")
        run.stdin.flush()
    errors = [run.communicate(timeout=120)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], errors
    assert not any("locked" in e for e in errors)
    reopened = Store.open(store_dir, PASSPHRASE)
    assert len(reopened.drafts.list(work.id)) == 150
    assert len(reopened.drafts.list(family.id)) == 150
    reopened.close()


HOLDER = textwrap.dedent(
    """
    import sys, time
    from personae.store import Store
    store = Store.open(sys.argv[1], sys.argv[2])
    persona = store.personas.find("Work")
    store.drafts.save(persona.id, "committed before the crash")
    with store.write():
        store.drafts.save(persona.id, "never committed")
        print("holding", flush=True)
        time.sleep(600)
    """
)


def hold_the_write_lock(store_dir):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store_dir), PASSPHRASE],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "holding"
    return holder


def test_a_store_locked_by_a_crashed_process_opens_cleanly(store, store_dir, work) -> None:
    store.close()
    holder = hold_the_write_lock(store_dir)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    reopened = Store.open(store_dir, PASSPHRASE, busy_timeout_ms=2000)
    assert [d.text for d in reopened.drafts.list(work.id)] == ["committed before the crash"]
    reopened.drafts.save(work.id, "written after the crash")
    assert reopened.conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    reopened.close()


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs job control signals")
def test_a_suspended_process_holding_the_store_gives_a_clear_error(store, store_dir, work) -> None:
    store.close()
    holder = hold_the_write_lock(store_dir)
    os.kill(holder.pid, signal.SIGSTOP)
    try:
        waiting = Store.open(store_dir, PASSPHRASE, busy_timeout_ms=300)
        with pytest.raises(StoreBusy, match="another personae process"):
            waiting.drafts.save(work.id, "cannot get in")
        waiting.close()
    finally:
        holder.kill()
        holder.wait()
