"""The crash drill at length: publish to the real local PDS and the Mastodon double while the
publishing and drafting processes are SIGKILLed at random moments, again and again.

    python -m benchmarks.crash_drill [--rounds 3] [--posts 40] [--kills 40]

Goal (issue 5): every queued post published exactly once per account, no committed draft
lost, PRAGMA integrity_check ok — after every round. Prints the kills survived.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests.support.crash_drill import run_drill
from tests.support.mastodon_double import MastodonDouble
from tests.support.pds import running_pds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--posts", type=int, default=40)
    parser.add_argument("--kills", type=int, default=40)
    args = parser.parse_args()

    totals = {"kills": 0, "mid_publish": 0, "posts": 0, "drafts": 0, "problems": 0}
    with running_pds() as pds, MastodonDouble() as double:
        for round_no in range(1, args.rounds + 1):
            double.reset()
            with tempfile.TemporaryDirectory(prefix="personae-drill-") as work:
                result = run_drill(
                    Path(work), pds, double, posts=args.posts, kills=args.kills, seed=round_no
                )
            problems = result.problems()
            print(
                f"round {round_no}: {result.kills} kills ({result.kills_while_sending} with a post "
                f"mid-publish), {result.posts} posts × 2 accounts, {result.drafts_confirmed} "
                f"drafts committed, integrity {result.integrity}, {len(problems)} problems, "
                f"{result.seconds:.0f} s"
            )
            for line in problems:
                print(f"  {line}")
            totals["kills"] += result.kills
            totals["mid_publish"] += result.kills_while_sending
            totals["posts"] += result.posts * 2
            totals["drafts"] += result.drafts_confirmed
            totals["problems"] += len(problems)
    print(
        f"survived {totals['kills']} SIGKILLs ({totals['mid_publish']} mid-publish): "
        f"{totals['posts']} posts each published exactly once, {totals['drafts']} drafts kept, "
        f"{totals['problems']} problems"
    )
    return 1 if totals["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
