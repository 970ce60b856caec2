"""Network figures: ingest of a large feed against feedparser's own parse, then publishing
to the local Bluesky PDS against the bare atproto client.

    python -m benchmarks.networks [--items 10000] [--runs 3] [--no-pds]

Goals (issue 4): personae's ingest of a 10,000-item feed — fetched over HTTP from a server on
127.0.0.1, parsed, reduced to text, encrypted and stored — takes at most 1.3× as long as
feedparser's own parse of the same bytes; 100 posts published through personae reach at
least 0.9× the bare client's throughput (``benchmarks.bluesky_publish``, run from here).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from email.utils import formatdate
from html import escape
from pathlib import Path

from personae.store import Store

ROOT = Path(__file__).resolve().parents[1]  # where ``python -m benchmarks.…`` runs

WORDS = [
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "is",
    "cookie",
    "deploy",
    "batch",
    "oven",
    "kernel",
    "sugar",
    "review",
    "butter",
    "release",
    "notes",
    "team",
    "garden",
    "bicycle",
    "commit",
    "weekend",
    "coffee",
    "station",
    "library",
    "measure",
    "window",
    "river",
    "budget",
]
AUTHORS = ["Ada Lovelace", "Grace Hopper", "Ken Thompson", "Barbara Liskov", "Edsger Dijkstra"]


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choices(WORDS, k=words)).capitalize() + "."


def description(rng: random.Random, n: int) -> str:
    """An item's HTML the way blogs write it: paragraphs, a link, emphasis, an image."""
    link = f'<a href="https://example.org/posts/{n}/more?ref=feed&amp;x=1">read on</a>'
    return (
        f"<p>{sentence(rng, 14)} <em>{sentence(rng, 4)}</em> {sentence(rng, 8)}</p>\n"
        f'<p><img src="https://example.org/img/{n}.jpg" alt="picture {n}"/>'
        f"{sentence(rng, 12)}<br/>{sentence(rng, 6)} &mdash; {link}</p>\n"
        f"<ul><li>{sentence(rng, 4)}</li><li>{sentence(rng, 5)}</li></ul>"
    )


def generate_feed(count: int, seed: int = 4) -> bytes:
    """An RSS 2.0 feed of ``count`` items, newest first; half the HTML in CDATA, half escaped."""
    rng = random.Random(seed)
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/">\n<channel>\n'
        "<title>Benchmark Weekly</title><link>https://example.org/</link>\n"
        "<description>Everything, every week</description>\n"
    ]
    newest = 1_700_000_000
    for n in range(count, 0, -1):
        html = description(rng, n)
        body = f"<![CDATA[{html}]]>" if n % 2 else escape(html, quote=False)
        parts.append(
            f"<item><title>{escape(sentence(rng, 7))} #{n}</title>"
            f"<link>https://example.org/posts/{n}</link>"
            f'<guid isPermaLink="false">tag:example.org,2024:post-{n}</guid>'
            f"<pubDate>{formatdate(newest - (count - n) * 3600)}</pubDate>"
            f"<dc:creator>{AUTHORS[n % len(AUTHORS)]}</dc:creator>"
            f"<category>{rng.choice(WORDS)}</category>"
            f"<description>{body}</description></item>\n"
        )
    parts.append("</channel>\n</rss>\n")
    return "".join(parts).encode()


def timed_parse(body: bytes, **options: bool) -> float:
    """Seconds of one feedparser.parse of ``body``, with feedparser's ``options``."""
    import io

    import feedparser

    started = time.perf_counter()
    parsed = feedparser.parse(io.BytesIO(body), **options)
    elapsed = time.perf_counter() - started
    assert len(parsed.entries) > 0
    return elapsed


def feed_ingest(items: int, runs: int) -> float:
    """feedparser's parse of a large feed vs personae's fetch, parse, encrypt and store.

    The runs alternate (feedparser, then personae) so that a machine shared with other work
    slows both alike; each figure is the median of its runs. Returns the ratio."""
    from personae.networks.base import Source
    from personae.networks.feeds import FeedNetwork
    from tests.support.feed_server import FeedServer, Reply

    body = generate_feed(items)
    print(f"feed: {items:,} items, {len(body) / 1024 / 1024:.1f} MB of RSS 2.0")
    plain, bare, fetch, store_add, ours = [], [], [], [], []
    with tempfile.TemporaryDirectory(prefix="personae-bench-") as tmp, FeedServer() as server:
        url = server.serve("/feed.xml", Reply(body=body))
        store = Store.create(Path(tmp) / "store", "benchmark passphrase")
        persona = store.personas.add("Work")
        network = FeedNetwork()
        for run in range(runs):
            plain.append(timed_parse(body))
            # personae reduces HTML to text itself, so it asks feedparser not to sanitise.
            bare.append(timed_parse(body, sanitize_html=False, resolve_relative_uris=False))
            feed = store.feeds.add(persona, f"{url}?run={run}")  # a new feed: nothing deduped
            started = time.perf_counter()
            result = network.fetch(Source(url=feed.url))
            fetched = time.perf_counter()
            added = store.timeline.add(persona.id, "feed", feed.id, result.items)
            done = time.perf_counter()
            assert added == items, added
            fetch.append(fetched - started)
            store_add.append(done - fetched)
            ours.append(done - started)
        network.close()
        store.close()
    fp, us = statistics.median(plain), statistics.median(ours)
    m = statistics.median
    print(f"feedparser.parse of the same bytes: {fp:.2f} s (median of {runs})")
    print(f"  the same without sanitising, as personae calls it: {m(bare):.2f} s")
    print(f"personae fetch + parse + text + encrypt + store: {us:.2f} s (median of {runs})")
    print(f"  of which HTTP fetch + parse + reduction to text: {m(fetch):.2f} s")
    print(f"  of which encrypt + store: {m(store_add):.2f} s")
    print(f"ratio: {us / fp:.2f}x (goal <= 1.3x); {us / m(bare):.2f}x the unsanitised parse")
    return us / fp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--no-pds", action="store_true", help="skip publishing to the local Bluesky PDS"
    )
    args = parser.parse_args()
    ok = feed_ingest(args.items, args.runs) <= 1.3
    if not args.no_pds:  # its own process: it starts the PDS and imports the test support
        print("\nPublishing 100 posts to the local PDS (benchmarks.bluesky_publish):", flush=True)
        ok &= (
            subprocess.run(
                [sys.executable, "-m", "benchmarks.bluesky_publish"], cwd=ROOT
            ).returncode
            == 0
        )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
