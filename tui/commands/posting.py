"""``personae draft|drafts|post|outbox|sync``: writing, queueing and publishing."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict
from typing import TYPE_CHECKING

from personae.store import Invalid, OutboxEntry, PostState, Store
from personae.store.text import one_line
from personae.tui.commands.opening import persona_scope
from personae.tui.commands.prompts import text_argument
from personae.tui.output import print_json, print_table, say, when

if TYPE_CHECKING:
    from personae.networks.sync import SyncReport


def draft(store: Store, args: argparse.Namespace) -> int:
    persona = store.personas.find(args.persona)
    saved = store.drafts.save(persona.id, text_argument(args.text))
    print(saved.id)
    return 0


def drafts(store: Store, args: argparse.Namespace) -> int:
    persona = store.personas.find(args.persona)
    found = store.drafts.list(persona.id)
    if args.json:
        print_json([asdict(d) for d in found])
        return 0
    rows = [(d.id, when(d.updated), one_line(d.text, 60)) for d in found]
    print_table(rows, ("ID", "EDITED", "TEXT"))
    return 0


def post(store: Store, args: argparse.Namespace) -> int:
    """Queue a post; stdout gets the id of the outbox entry that ``outbox cancel`` takes
    (cancelling it takes the whole post back, whatever its accounts)."""
    from personae.networks.posting import GuardRefused, publishable, queue

    persona = store.personas.find(args.persona)
    targets = [store.accounts.find(persona, h) for h in args.to] or publishable(store, persona)
    if not targets:
        raise Invalid(f"{persona.name} has no account to publish to; add one first")
    saved = store.drafts.save(persona.id, text_argument(args.text), [a.id for a in targets])
    try:
        ids = queue(store, saved, targets, override=args.override)
    except GuardRefused as refused:
        for line in refused.review.problems():
            say(f"personae: {line}")
        review = refused.review
        hint = "" if review.too_long or review.unusable else "; --override queues it anyway"
        raise Invalid(f"not queued; kept as draft {saved.id}{hint}") from None
    handles = ", ".join(a.handle for a in targets)
    later = f"in {persona.send_delay} s" if persona.send_delay else "at the next sync"
    say(f"queued post {saved.id} as {persona.name} to {handles}; it goes out {later}")
    if persona.send_delay:
        say(f"cancel with: personae outbox cancel {ids[0]}")
    print(ids[0])
    return 0


def outbox(store: Store, args: argparse.Namespace) -> int:
    entries = store.outbox.list()
    names = {p.id: p.name for p in store.personas.list()}
    handles = {a.id: a.handle for a in store.accounts.list()}
    if args.json:
        print_json(
            [
                {
                    **asdict(e),
                    "persona": names.get(e.persona_id, "?"),
                    "account": handles.get(e.account_id, "?"),
                }
                for e in entries
            ]
        )
        return 0
    rows = [
        (
            e.id,
            names.get(e.persona_id, "?"),
            handles.get(e.account_id, "?"),
            e.state,
            _next_attempt(e),
            one_line(e.text, 40),
            one_line(e.last_error, 50),
        )
        for e in entries
    ]
    print_table(rows, ("ID", "PERSONA", "ACCOUNT", "STATE", "NEXT", "TEXT", "LAST ERROR"))
    return 0


def _next_attempt(entry: OutboxEntry) -> str:
    if entry.state not in (PostState.QUEUED, PostState.SENDING):
        return "-"
    wait = entry.next_attempt - time.time()
    return "due" if wait <= 0 else f"in {wait:.0f} s"


def outbox_cancel(store: Store, args: argparse.Namespace) -> int:
    back = store.outbox.cancel(store.outbox.get(args.id))
    say(f"cancelled: post {back.id} is a draft again")
    return 0


def outbox_retry(store: Store, args: argparse.Namespace) -> int:
    store.outbox.retry(store.outbox.get(args.id))
    say(f"outbox entry {args.id} queued again")
    return 0


def sync(store: Store, args: argparse.Namespace) -> int:
    """Publish what is due and refresh timelines. What went out and what came in goes to
    stdout; problems and notices to stderr, and any problem makes the exit status 1."""
    from personae.networks.sync import SyncEngine

    persona_id, _ = persona_scope(store, args.persona)
    progress = say if sys.stderr.isatty() else None
    report = SyncEngine(store).run(persona_id, retry_now=True, progress=progress)
    for line in report.published:
        print(one_line(f"published {line}"))
    for source, count in report.fetched.items():
        print(one_line(f"{source}: {count} new"))
    problems, notices = sync_problems(report)
    for line in notices:
        say(f"personae: warning: {line}")
    for line in problems:
        say(f"personae: {line}")
    return 1 if problems else 0


def sync_problems(report: SyncReport) -> tuple[list[str], list[str]]:
    """What a sync could not do, one line each; and its notices about sources it did read
    (a feed that moved, kept what parsed, a server with no timeline), which are no failure.

    The report files both under ``errors``, each line starting with its source's label; a
    source that was read is in ``fetched``, so its lines are the notices."""
    lines = []
    if report.offline:
        lines.append("offline: no server could be reached; queued posts wait for the network")
    elif report.waiting:
        lines.append(
            f"{len(report.waiting)} post(s) wait for a server that cannot be reached; "
            "they go out at the next sync that reaches it"
        )
    lines += [f"waiting for the network: {line}" for line in report.waiting]
    lines += [f"will retry {line}" for line in report.retrying]
    lines += [f"failed {line}" for line in report.failed]
    lines += [f"paused {line}" for line in report.paused]
    read = tuple(f"{source}: " for source in report.fetched)
    notices = [line for line in report.errors if line.startswith(read)]
    lines += [f"error {line}" for line in report.errors if not line.startswith(read)]
    return lines, notices
