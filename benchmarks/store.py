"""Store figures: insert throughput, unlock time, newest-200 and 10k decryption, the publish
guard's check, peak RSS.

    python -m benchmarks.store [--items 100000]

Goals (issue 2): ≥ 50k items/s inserted; newest 200 ≤ 10 ms median; 10,000 items
decrypted ≤ 100 ms; peak RSS ≤ 150 MB. Unlock (Argon2id) is tuned to 0.1–0.5 s. The guard
(issue 9: look-alike-proof matching) checks a post against 40 terms and 4 handles in
≤ 5 ms median, and a draft at the 100,000-character limit in ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

from personae.store import MAX_DRAFT_CHARS, NewItem, Persona, Store

WORDS = ["the", "a", "cookie", "deploy", "batch", "oven", "kernel", "sugar", "review", "butter"]


def fake_items(first: int, count: int) -> list[NewItem]:
    rng = random.Random(first)
    return [
        NewItem(
            remote_id=f"https://example.org/posts/{n}",
            created=1e9 + n,
            author=f"author{n % 97}@example.org",
            title=" ".join(rng.choices(WORDS, k=6)),
            text=" ".join(rng.choices(WORDS, k=40)),
            url=f"https://example.org/posts/{n}",
        )
        for n in range(first, first + count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="personae-bench-") as tmp:
        store_dir = Path(tmp) / "store"
        store = Store.create(store_dir, "benchmark passphrase")
        work = store.personas.add("Work")
        family = store.personas.add("Family")
        half = args.items // 2
        elapsed = 0.0
        for persona, count in ((work, half), (family, args.items - half)):
            for first in range(0, count, 10_000):
                items = fake_items(first, min(10_000, count - first))
                started = time.perf_counter()  # time the store, not the fake data
                store.timeline.add(persona.id, "feed", 1, items)
                elapsed += time.perf_counter() - started
        rate = args.items / elapsed
        print(f"insert: {args.items:,} items in {elapsed:.2f} s = {rate:,.0f} items/s")
        store.close()

        started = time.perf_counter()
        store = Store.open(store_dir, "benchmark passphrase")
        print(f"unlock (Argon2id, 64 MiB): {(time.perf_counter() - started) * 1000:.0f} ms")

        newest = []
        for _ in range(50):
            started = time.perf_counter()
            assert len(store.timeline.newest(work.id, 200)) == 200
            newest.append(time.perf_counter() - started)
        print(f"newest 200 of one persona: {statistics.median(newest) * 1000:.2f} ms median")

        ids = [item_id for item_id, _ in store.timeline.index(family.id)[:10_000]]
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            assert len(store.timeline.load(ids)) == len(ids)
            runs.append(time.perf_counter() - started)
        print(f"decrypt {len(ids):,} items: {statistics.median(runs) * 1000:.0f} ms median")
        guard_figures(store, work, family)
        store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")


def guard_figures(store: Store, work: Persona, family: Persona) -> None:
    """The check run before every post is queued: 20 terms of each persona, two handles
    each; a post of 280 characters with a look-alike in it, and a draft at the limit."""
    for persona, prefix in ((work, "acme"), (family, "cookie")):
        for n in range(20):
            store.guard.add(persona, "own" if n % 4 else "blocked", f"#{prefix}{n}")
        for n in range(2):
            store.accounts.add(persona, "local", f"{prefix}.{n}", f"/srv/{prefix}{n}")
    post = ("Proud of the team: the #АСМЕ3 launch is live, see https://example.org/x " * 4)[:280]
    draft = ((" ".join(WORDS) + " ") * 2000)[:MAX_DRAFT_CHARS]
    for label, text, runs in (
        ("a 280-character post", post, 200),
        ("a 100,000-character draft", draft, 5),
    ):
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            store.guard.check(family, text)
            times.append(time.perf_counter() - started)
        print(f"guard check of {label}: {statistics.median(times) * 1000:.2f} ms median")


if __name__ == "__main__":
    main()
