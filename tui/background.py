"""The app's background sync, run one persona at a time so that every message it produces
is known to belong to one persona, and what reaches the screen depends on who is active.

The sync engine speaks in plain strings that name accounts, feeds and posts ("publishing
post 5 to fam"). While Work is active, Family's account names and text must not appear in
the status bar or a notification, even for a moment: another persona's outcomes are shown
only as counts ("1 post of another persona sent")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from personae.networks.sync import SyncEngine, SyncReport
from personae.store import Store
from personae.store.text import one_line

Severity = Literal["information", "warning", "error"]
Say = Callable[[int, str], None]  # (persona id, progress message)


@dataclass
class Outcome:
    """One sync's reports, one per persona it touched."""

    reports: dict[int, SyncReport] = field(default_factory=dict)

    def add(self, persona_id: int, report: SyncReport) -> None:
        mine = self.reports.setdefault(persona_id, SyncReport())
        for kind in ("published", "retrying", "waiting", "failed", "paused", "errors"):
            getattr(mine, kind).extend(getattr(report, kind))
        mine.fetched.update(report.fetched)
        mine.reached += report.reached
        mine.unreachable += report.unreachable


def sync(
    store: Store,
    active_id: int | None,
    *,
    refresh: bool,
    retry_now: bool = False,
    say: Say | None = None,
) -> Outcome:
    """Publish what is due, persona by persona, and refresh the active persona's timeline
    (with ``refresh``, or when it published: a post to a local target then shows up).
    Runs in a worker thread; raises the StoreError that stops it."""
    engine = SyncEngine(store)
    outcome = Outcome()
    personas = sorted({entry.persona_id for entry in store.outbox.pending()})
    for persona_id in personas:
        if persona_id == active_id and refresh:
            continue  # published below, with the refresh
        report = engine.run(
            persona_id, refresh=False, retry_now=retry_now, progress=_for(say, persona_id)
        )
        outcome.add(persona_id, report)
    if active_id is not None:
        published = active_id in outcome.reports and outcome.reports[active_id].published
        if refresh or published:
            report = engine.run(
                active_id,
                publish=refresh,
                retry_now=retry_now,
                progress=_for(say, active_id),
            )
            outcome.add(active_id, report)
    return outcome


def _for(say: Say | None, persona_id: int) -> Callable[[str], None]:
    return lambda message: say(persona_id, message) if say else None


def progress_line(persona_id: int, active_id: int | None, message: str) -> str:
    """A progress message for the status bar: the engine's own words for the active
    persona, a neutral line for any other."""
    if persona_id == active_id:
        return one_line(message, 200)
    return "publishing a post of another persona…"


@dataclass(frozen=True)
class Shown:
    """What a sync puts on screen: notifications and the status bar's summary."""

    notes: list[tuple[str, Severity]]
    status: str


def shown(outcome: Outcome, active_id: int | None) -> Shown:
    """What the user may see of ``outcome`` while ``active_id`` is active: the active
    persona's lines in full, the others' as counts without a name, handle or text."""
    notes: list[tuple[str, Severity]] = []
    new: int | None = None  # items fetched for the active persona, if it was refreshed
    others = SyncReport()
    reports = outcome.reports.values()
    offline = sum(r.reached for r in reports) == 0 and sum(r.unreachable for r in reports) > 0
    for persona_id, report in outcome.reports.items():
        if persona_id != active_id:
            others.published += report.published
            others.failed += report.failed
            others.paused += report.paused
            others.errors += report.errors
            continue
        for line in report.errors + report.failed + report.paused:
            notes.append((one_line(line, 200), "warning"))
        for line in report.published:
            notes.append((f"published {one_line(line, 200)}", "information"))
        if report.fetched:
            new = (new or 0) + sum(report.fetched.values())
    notes += _counted(others)
    if offline:
        return Shown(notes, "offline: queued posts wait")
    return Shown(notes, f"{new} new" if new is not None else "")


def _counted(others: SyncReport) -> list[tuple[str, Severity]]:
    """Another persona's outcomes as counts: enough to know, nothing to read."""
    notes: list[tuple[str, Severity]] = []
    counted: list[tuple[list[str], str, Severity]] = [
        (others.published, "sent", "information"),
        (others.failed, "failed (switch to it to see why)", "warning"),
    ]
    for lines, done, severity in counted:
        if lines:
            notes.append((f"{_posts(len(lines))} of another persona {done}", severity))
    if others.paused:
        notes.append(("an account of another persona is paused (switch to it)", "warning"))
    if others.errors:
        notes.append(("another persona's sync had errors (switch to it)", "warning"))
    return notes


def _posts(count: int) -> str:
    return "1 post" if count == 1 else f"{count} posts"
