"""The crash drill: publish through the real local PDS and the Mastodon double while a
process that publishes, and another that writes drafts, are killed with SIGKILL at random
moments; restart, sync to the end, and count.

    with running_pds() as pds, MastodonDouble() as double:
        result = run_drill(workdir, pds, double, posts=20, kills=15, seed=1)
        result.problems()        # [] when every post went out exactly once, no draft was lost,
                                 # and PRAGMA integrity_check says ok

Run as ``python -m tests.support.crash_drill publish|draft STORE_DIR``, this file is the
process being killed: ``publish`` syncs until nothing is left to send; ``draft`` saves
drafts and prints each id once its transaction has committed.
"""

from __future__ import annotations

import collections
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from personae.store.files import db_path

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "drill passphrase"
DRAFT_PREFIX = "drill draft"


@dataclass
class DrillResult:
    posts: int
    kills: int = 0
    kills_while_sending: int = 0  # kills that struck with an entry claimed mid-publish
    duplicates: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    not_sent: list[str] = field(default_factory=list)
    drafts_confirmed: int = 0
    drafts_lost: int = 0
    integrity: str = ""
    seconds: float = 0.0

    def problems(self) -> list[str]:
        found = [f"published {n}×: {text}" for text, n in self.duplicates.items()]
        found += [f"never published: {text}" for text in self.missing]
        found += [f"outbox entry not sent: {line}" for line in self.not_sent]
        if self.drafts_lost:
            found.append(f"{self.drafts_lost} committed drafts lost")
        if self.integrity != "ok":
            found.append(f"integrity_check: {self.integrity}")
        return found


def run_drill(
    workdir: Path, pds, double, *, posts: int, kills: int, seed: int, max_delay: float = 1.2
) -> DrillResult:
    """Queue ``posts`` posts to a Bluesky and a Mastodon account, then kill publishers and
    drafters ``kills`` times at random moments; finally sync without interruption."""
    from personae.store import KdfParams, Store

    rng = random.Random(seed)
    started = time.monotonic()
    store_dir = workdir / "store"
    handle = f"drill{seed}x{rng.randrange(10**6)}.test"
    account = pds.create_account(handle, "drill-password")
    texts = [f"Drill {seed} post {n}: exactly once, please" for n in range(posts)]

    store = Store.create(store_dir, PASSPHRASE, kdf=KdfParams.cheap())
    persona = store.personas.add("Work", colour="blue", glyph="W")
    targets = [
        store.accounts.add(persona, "bluesky", account.handle, pds.url, pds.app_password(account)),
        store.accounts.add(persona, "mastodon", "alice", double.url, double.token("alice")),
    ]
    for text in texts:
        draft = store.drafts.save(persona.id, text)
        store.outbox.enqueue(draft, targets)
    store.close()

    result = DrillResult(posts=posts)
    confirmed: set[int] = set()
    while result.kills < kills:
        publisher = _start("publish", store_dir)
        drafter = _start("draft", store_dir)
        publisher.stdout.readline()  # "ready": imports done, store open
        time.sleep(rng.uniform(0, max_delay))
        result.kills_while_sending += _sending(store_dir)
        for process in (publisher, drafter):
            process.send_signal(signal.SIGKILL)
        publisher.wait()
        confirmed |= {int(line) for line in drafter.communicate()[0].split() if line.isdigit()}
        result.kills += 1
        if publisher.returncode == 0:  # it finished before the kill: queue more work
            break

    _finish(store_dir)
    result.drafts_confirmed = len(confirmed)
    _count(result, store_dir, texts, confirmed, pds, account, double)
    result.seconds = time.monotonic() - started
    return result


def _start(role: str, store_dir: Path, stderr: int = subprocess.DEVNULL) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.crash_drill", role, str(store_dir)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        env={**os.environ, "PERSONAE_PASSPHRASE": PASSPHRASE, "PYTHONPATH": str(ROOT)},
    )


def _sending(store_dir: Path) -> int:
    """1 when an entry is claimed mid-publish right now (the kill lands in the worst place)."""
    from personae.store import PostState

    with sqlite3.connect(f"file:{db_path(store_dir)}?mode=ro", uri=True) as conn:
        conn.execute("pragma busy_timeout = 5000")
        return int(
            conn.execute(
                "select count(*) from outbox where state = ?", (PostState.SENDING,)
            ).fetchone()[0]
            > 0
        )


def _finish(store_dir: Path) -> None:
    """Sync without interruption until nothing is left (what the next login does)."""
    for _ in range(20):
        publisher = _start("publish", store_dir, stderr=subprocess.PIPE)
        _, errors = publisher.communicate(timeout=300)
        if publisher.returncode == 0:
            return
    raise RuntimeError(f"the final sync did not finish: {errors[-500:]}")


def _count(result, store_dir, texts, confirmed, pds, account, double) -> None:
    from personae.store import PostState, Store

    published = collections.Counter(_bluesky_texts(pds, account))
    published.update(_mastodon_texts(double))
    for text in texts:
        if published[text] == 0:
            result.missing.append(text)
        elif published[text] != 2:  # once per account
            result.duplicates[text] = published[text]

    store = Store.open(store_dir, PASSPHRASE)
    try:
        result.not_sent = [
            f"{e.id} {e.state} {e.last_error}"
            for e in store.outbox.list()
            if e.state != PostState.SENT
        ]
        present = {d.id for d in store.drafts.list(1)}
        result.drafts_lost = len(confirmed - present)
        with store.read() as conn:
            result.integrity = conn.execute("pragma integrity_check").fetchone()[0]
    finally:
        store.close()


def _bluesky_texts(pds, account) -> list[str]:
    client = pds.client(account)
    texts, cursor = [], None
    while True:
        page = client.com.atproto.repo.list_records(
            {
                "repo": account.did,
                "collection": "app.bsky.feed.post",
                "limit": 100,
                "cursor": cursor,
            }
        )
        texts += [record.value.text for record in page.records]
        if not page.cursor or not page.records:
            return texts
        cursor = page.cursor


def _mastodon_texts(double) -> list[str]:
    from personae.networks.html_text import html_to_text

    return [html_to_text(status["content"]).strip() for status in double.statuses("alice")]


# -- the processes being killed ------------------------------------------------------------


def _publish(store_dir: Path) -> int:
    """Sync until no entry is left to publish; exit 0 then. Short backoff: a drill, not a day."""
    from personae.networks.sync import Policy, SyncEngine
    from personae.store import Store

    store = Store.open(store_dir, PASSPHRASE)
    engine = SyncEngine(store, Policy(base_delay=0.05, max_delay=0.2, offline_delay=0.05))
    print("ready", flush=True)
    while store.outbox.pending():
        engine.run(refresh=False, retry_now=True)
        if store.outbox.pending():
            time.sleep(0.05)
    store.close()
    return 0


def _draft(store_dir: Path) -> int:
    """Save drafts as fast as an autosave would, printing each id after its commit."""
    from personae.store import Store

    store = Store.open(store_dir, PASSPHRASE)
    persona = store.personas.list()[0]
    n = 0
    while True:
        n += 1
        saved = store.drafts.save(persona.id, f"{DRAFT_PREFIX} {os.getpid()}-{n}")
        print(saved.id, flush=True)
        time.sleep(0.01)


if __name__ == "__main__":
    role, folder = sys.argv[1], Path(sys.argv[2])
    sys.exit(_publish(folder) if role == "publish" else _draft(folder))
