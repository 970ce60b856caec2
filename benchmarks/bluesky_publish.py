"""Publishing throughput to the reference PDS on loopback: personae vs the bare atproto client.

    python -m benchmarks.bluesky_publish [--posts 100] [--rounds 5] [--chunk 20]

Each round publishes ``--posts`` posts through personae and the same number through the bare
``atproto`` client, each to its own fresh account on the same PDS:
- personae: posts queued in an encrypted store (guard, length check, outbox), then published
  by a ``SyncEngine`` run — claim, adapter ``putRecord``, mark sent — as ``personae sync``
  does; the sync is timed, the queueing is reported beside it;
- bare: ``Client.send_post`` in a loop, already logged in.
The two take turns every ``--chunk`` posts, so that the load of a shared machine falls on
both alike. Logins, imports and a hundred warm-up posts (Node's JIT) are outside the
timings. Goal (issue 4): personae ≥ 0.9× the bare client's throughput. Needs
``tests/support/pds/install.sh`` to have run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from personae.networks.base import Source
from personae.networks.bluesky import BlueskyNetwork
from personae.networks.posting import queue
from personae.networks.sync import SyncEngine
from personae.store import KdfParams, Store
from tests.support.pds import LocalPds, running_pds

PASSPHRASE = "benchmark passphrase"


class Bare:
    """The atproto client alone, as a script would post."""

    def __init__(self, pds: LocalPds, name: str) -> None:
        from atproto import Client

        self.account = pds.create_account(f"{name}.test", "bare-password-1")
        self.client = Client(base_url=pds.url)
        self.client.login(
            self.account.handle, pds.app_password(self.account), fetch_bsky_profile=False
        )

    def publish(self, texts: list[str]) -> float:
        started = time.perf_counter()
        for text in texts:
            self.client.send_post(text, profile_identify=self.account.did)
        return time.perf_counter() - started


class Personae:
    """A store with one persona and its Bluesky account; posts go out through the outbox."""

    def __init__(self, pds: LocalPds, name: str, folder: Path) -> None:
        account = pds.create_account(f"{name}.test", "personae-password-1")
        secret = pds.app_password(account)
        kdf = KdfParams.cheap()  # unlock: not timed
        self.store = Store.create(folder / name, PASSPHRASE, kdf=kdf)
        self.persona = self.store.personas.add("Bench", colour="blue", glyph="B")
        source = Source(url=pds.url, handle=account.handle, secret=secret)
        verified = BlueskyNetwork().verify(source)
        self.target = self.store.accounts.add(
            self.persona, "bluesky", verified.handle, pds.url, secret, verified.session
        )
        self.engine = SyncEngine(self.store)
        self.queueing = 0.0

    def publish(self, texts: list[str]) -> float:
        started = time.perf_counter()
        for text in texts:
            draft = self.store.drafts.save(self.persona.id, text, [self.target.id])
            queue(self.store, draft, [self.target])
        queued = time.perf_counter()
        report = self.engine.run(self.persona.id, publish=True, refresh=False)
        done = time.perf_counter()
        if len(report.published) != len(texts):
            raise SystemExit(f"personae did not publish everything: {report.lines()[:3]}")
        self.queueing += queued - started
        return done - queued

    def close(self) -> None:
        self.store.close()


def posts(who: str, round_: int, first: int, count: int) -> list[str]:
    return [f"{who} round {round_} post {n}: the oven is warm" for n in range(first, first + count)]


def run_round(pds: LocalPds, round_: int, args, folder: Path) -> tuple[float, float, float]:
    """Seconds for bare and for personae to publish ``args.posts`` each, and queueing."""
    bare = Bare(pds, f"bare{round_}")
    ours = Personae(pds, f"personae{round_}", folder)
    try:
        bare.publish(["warm-up"])
        ours.publish(["warm-up"])
        ours.queueing = 0.0
        bare_time = ours_time = 0.0
        for first in range(0, args.posts, args.chunk):
            count = min(args.chunk, args.posts - first)
            if (first // args.chunk) % 2:  # take turns at going first
                ours_time += ours.publish(posts("personae", round_, first, count))
                bare_time += bare.publish(posts("bare", round_, first, count))
            else:
                bare_time += bare.publish(posts("bare", round_, first, count))
                ours_time += ours.publish(posts("personae", round_, first, count))
        return bare_time, ours_time, ours.queueing
    finally:
        ours.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--chunk", type=int, default=20)
    args = parser.parse_args()
    results = []
    with running_pds() as pds, tempfile.TemporaryDirectory() as work:
        print(f"PDS {pds.url} ready in {pds.info['msToReady']} ms; {args.posts} posts a run")
        Bare(pds, "warmup").publish(posts("warm-up", 0, 0, 100))  # Node's JIT warms up
        for round_ in range(1, args.rounds + 1):
            bare_time, ours_time, queued = run_round(pds, round_, args, Path(work))
            results.append((bare_time, ours_time, queued))
            print(
                f"round {round_}: bare {args.posts / bare_time:6.1f} posts/s, "
                f"personae {args.posts / ours_time:6.1f} posts/s, "
                f"ratio {bare_time / ours_time:.2f}x (+ queueing {queued * 1000:.0f} ms)"
            )
    bare_rate = args.posts / statistics.median(r[0] for r in results)
    ours_rate = args.posts / statistics.median(r[1] for r in results)
    ratio = statistics.median(r[0] / r[1] for r in results)
    queued_ms = statistics.median(r[2] for r in results) * 1000
    print(f"bare atproto client : {bare_rate:6.1f} posts/s (median of {args.rounds} rounds)")
    print(f"personae sync       : {ours_rate:6.1f} posts/s")
    print(f"ratio               : {ratio:.2f}x (median of the rounds' ratios; goal >= 0.9x)")
    print(f"queueing {args.posts} posts (guard, length check, outbox): {queued_ms:.0f} ms")
    sys.exit(0 if ratio >= 0.9 else 1)


if __name__ == "__main__":
    main()
