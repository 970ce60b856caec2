"""The sync engine, shared by ``personae sync`` and the app: it publishes what the outbox
holds and refreshes timelines, a few sources at a time, never holding the store's write
lock while it waits on a network.

Publishing is exactly-once per (post, account): the outbox stores each entry's idempotency
key and network details before the first attempt, claims entries atomically across
processes, and a retry after a crash sends the same request again, which the network
recognises. Retries are bounded, back off exponentially with jitter, honour Retry-After,
and stop on permanent errors; bad credentials pause the account instead of failing every
post queued for it."""

from __future__ import annotations

import os
import random
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from personae.networks.base import Network, Post, Source
from personae.networks.errors import AuthFailed, NetworkError, RateLimited, Rejected, Unreachable
from personae.networks.registry import load
from personae.store import (
    Account,
    Feed,
    FeedState,
    OutboxEntry,
    Persona,
    PostState,
    SourceKind,
    Store,
    StoreError,
)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Policy:
    """How hard to try: attempts that reached a server, total time, backoff bounds."""

    max_attempts: int = 8
    max_age: float = 7 * 24 * 3600  # a post still unsent a week after queueing fails
    base_delay: float = 10.0
    max_delay: float = 3600.0
    offline_delay: float = 60.0  # between tries while no connection can be made
    workers: int = 4


@dataclass
class SyncReport:
    published: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # queued until a server can be reached
    failed: list[str] = field(default_factory=list)
    paused: list[str] = field(default_factory=list)
    fetched: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    unreachable: int = 0  # attempts that found no connection
    reached: int = 0  # attempts that got an answer
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def offline(self) -> bool:
        """Nothing could be reached: everything stays queued for later."""
        return self.unreachable > 0 and self.reached == 0

    def add(self, kind: str, line: str) -> None:
        with self._lock:
            getattr(self, kind).append(line)

    def count(self, reached: bool) -> None:
        with self._lock:
            if reached:
                self.reached += 1
            else:
                self.unreachable += 1

    def lines(self) -> list[str]:
        """A plain summary, one fact per line."""
        out = []
        if self.offline:
            out.append("offline: no server could be reached; queued posts stay queued")
        out += [f"published {line}" for line in self.published]
        out += [f"will retry {line}" for line in self.retrying]
        out += [f"waiting for the network: {line}" for line in self.waiting]
        out += [f"failed {line}" for line in self.failed]
        out += [f"paused {line}" for line in self.paused]
        out += [f"{source}: {n} new" for source, n in self.fetched.items()]
        out += [f"error {line}" for line in self.errors]
        return out


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_is_dead(owner: str) -> bool:
    """Whether a claim's owner was a process on this host that no longer runs."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class SyncEngine:
    def __init__(
        self,
        store: Store,
        policy: Policy | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.policy = policy or Policy()
        self.rng = rng or random.Random()
        self.owner = this_process()

    def run(
        self,
        persona_id: int | None = None,
        *,
        publish: bool = True,
        refresh: bool = True,
        retry_now: bool = False,
        progress: Progress | None = None,
    ) -> SyncReport:
        """One sync: publish what is due, then refresh timelines. ``retry_now`` also tries
        posts that are waiting only because the network was unreachable."""
        report = SyncReport()
        say = progress or (lambda message: None)
        if publish:
            self.publish_due(report, persona_id, retry_now, say)
        if refresh:
            self.refresh(report, persona_id, say)
        return report

    # -- publishing ------------------------------------------------------------------------

    def publish_due(
        self, report: SyncReport, persona_id: int | None, retry_now: bool, say: Progress
    ) -> None:
        now = time.time()
        queues: dict[int, list[OutboxEntry]] = {}
        for entry in self.store.outbox.pending(persona_id):
            if self._is_due(entry, now, retry_now):
                queues.setdefault(entry.account_id, []).append(entry)
        with ThreadPoolExecutor(max_workers=self.policy.workers) as pool:
            for account_id, entries in queues.items():
                label = f"account {account_id}"
                args = (report, account_id, entries, retry_now, say)
                pool.submit(_guarded, report, label, self._publish_account, *args)

    def _is_due(self, entry: OutboxEntry, now: float, retry_now: bool) -> bool:
        if entry.state == PostState.SENDING:
            return entry.next_attempt <= now or owner_is_dead(entry.owner)
        if retry_now and entry.offline:
            return True
        return entry.next_attempt <= now

    def _publish_account(
        self,
        report: SyncReport,
        account_id: int,
        entries: list[OutboxEntry],
        retry_now: bool,
        say: Progress,
    ) -> None:
        """Publish one account's due entries in order; stop if the account gets paused."""
        try:
            account = self.store.accounts.get(account_id)
            network = load(account.network)
        except (StoreError, NetworkError) as error:
            report.add("errors", f"account {account_id}: {error}")
            return
        for entry in entries:
            if not self._publish_one(report, account, network, entry, retry_now, say):
                return

    def _publish_one(
        self,
        report: SyncReport,
        account: Account,
        network: Network,
        entry: OutboxEntry,
        retry_now: bool,
        say: Progress,
    ) -> bool:
        """One attempt at one entry; False when the account's queue must stop."""
        label = f"post {entry.draft_id} to {account.handle}"
        details = None
        if entry.details is None:  # chosen once, stored before the first attempt
            details = network.prepare(entry.text, entry.idem_key)
        take_over = entry.state == PostState.SENDING
        claimed = self.store.outbox.claim(
            entry, details, self.owner, take_over=take_over, offline_too=retry_now
        )
        if claimed is None:
            return True  # another process has it
        say(f"publishing {label}")
        account = self.store.accounts.get(account.id)  # the freshest session
        try:
            published = network.publish(Source.for_account(account), _post(claimed))
        except AuthFailed as error:
            report.count(reached=True)
            self.store.outbox.hold(claimed, str(error))
            self.store.accounts.pause(account, str(error))
            report.add("paused", f"{account.handle}: {error}")
            return False
        except NetworkError as error:
            report.count(reached=error.reached_server)
            self._after_failure(report, claimed, label, error)
            return True
        except Exception as error:  # an adapter bug must not lose the post or stop the sync
            report.count(reached=True)
            failure = NetworkError(f"{network.title} adapter failed: {type(error).__name__}")
            self._after_failure(report, claimed, label, failure)
            return True
        report.count(reached=True)
        self.store.outbox.mark_sent(claimed, published.remote_id)
        if published.session and published.session != account.session:
            self.store.accounts.set_session(account, published.session)
        report.add("published", label)
        return True

    def _after_failure(
        self, report: SyncReport, entry: OutboxEntry, label: str, error: NetworkError
    ) -> None:
        policy = self.policy
        too_old = time.time() - entry.created > policy.max_age
        reached = error.reached_server
        if not error.retry or isinstance(error, Rejected):
            self.store.outbox.mark_failed(entry, str(error), reached_server=reached)
            report.add("failed", f"{label}: {error}")
        elif too_old or (reached and entry.attempts >= policy.max_attempts):
            why = f"gave up after {entry.attempts} attempts: {error}"
            self.store.outbox.mark_failed(entry, why, reached_server=reached)
            report.add("failed", f"{label}: {why}")
        else:
            at = time.time() + self._delay(entry.attempts, error)
            self.store.outbox.retry_later(entry, str(error), at, reached_server=reached)
            if reached:
                report.add("retrying", f"{label} in {at - time.time():.0f} s: {error}")
            else:
                report.add("waiting", f"{label} ({error})")

    def _delay(self, attempts: int, error: NetworkError) -> float:
        """Exponential backoff with jitter; a server's Retry-After wins when longer."""
        policy = self.policy
        if isinstance(error, Unreachable):
            return policy.offline_delay * self.rng.uniform(0.5, 1.0)
        backoff = min(policy.max_delay, policy.base_delay * 2.0 ** max(attempts - 1, 0))
        delay = backoff * self.rng.uniform(0.5, 1.0)
        if isinstance(error, RateLimited) and error.retry_after:
            delay = max(delay, error.retry_after)
        return delay

    # -- refreshing ------------------------------------------------------------------------

    def refresh(self, report: SyncReport, persona_id: int | None, say: Progress) -> None:
        personas = {p.id: p for p in self.store.personas.list()}
        if persona_id is not None:
            personas = {persona_id: personas[persona_id]} if persona_id in personas else {}
        feeds = [f for f in self.store.feeds.list() if f.persona_id in personas]
        accounts = [a for a in self.store.accounts.list() if a.persona_id in personas]
        with ThreadPoolExecutor(max_workers=self.policy.workers) as pool:
            for feed in feeds:
                if feed.state == FeedState.ACTIVE:
                    persona = personas[feed.persona_id]
                    pool.submit(
                        _guarded, report, feed.url, self._refresh_feed, report, persona, feed, say
                    )
            for account in accounts:
                if not account.paused:
                    persona = personas[account.persona_id]
                    task = self._refresh_account
                    pool.submit(
                        _guarded, report, account.handle, task, report, persona, account, say
                    )

    def _refresh_feed(
        self, report: SyncReport, persona: Persona, feed: Feed, say: Progress
    ) -> None:
        label = f"{persona.name}: {feed.url}"
        say(f"fetching {feed.url}")
        try:
            result = load("rss").fetch(Source.for_feed(feed))
        except NetworkError as error:
            report.count(reached=error.reached_server)
            self.store.feeds.record_fetch(feed, error=str(error))
            report.add("errors", f"{label}: {error}")
            return
        report.count(reached=True)
        new = self.store.timeline.add(persona.id, SourceKind.FEED, feed.id, result.items)
        self.store.feeds.record_fetch(
            feed,
            etag=result.etag,
            last_modified=result.last_modified,
            url=result.moved_to or None,
            error="; ".join(result.warnings),
            gone=result.gone,
        )
        report.fetched[label] = new
        if result.gone:
            report.add("errors", f"{label}: the feed is gone (410); it is disabled")
        if result.moved_to:
            report.add("errors", f"{label}: moved permanently to {result.moved_to}; updated")

    def _refresh_account(
        self, report: SyncReport, persona: Persona, account: Account, say: Progress
    ) -> None:
        label = f"{persona.name}: {account.handle}"
        say(f"fetching {account.handle}")
        try:
            network = load(account.network)
            result = network.fetch(Source.for_account(account))
        except AuthFailed as error:
            report.count(reached=True)
            self.store.accounts.pause(account, str(error))
            report.add("paused", f"{account.handle}: {error}")
            return
        except NetworkError as error:
            report.count(reached=error.reached_server)
            report.add("errors", f"{label}: {error}")
            return
        report.count(reached=True)
        report.fetched[label] = self.store.timeline.add(
            persona.id, SourceKind.ACCOUNT, account.id, result.items
        )
        for warning in result.warnings:  # e.g. a PDS with no AppView has no timeline
            report.add("errors", f"{label}: {warning}")
        if result.cursor and result.cursor != account.cursor:
            self.store.accounts.set_cursor(account, result.cursor)
        if result.session and result.session != account.session:
            self.store.accounts.set_session(account, result.session)


def _post(entry: OutboxEntry) -> Post:
    return Post(text=entry.text, idem_key=entry.idem_key, details=entry.details or {})


def _guarded(report: SyncReport, label: str, task: Callable[..., None], *args: object) -> None:
    """Run one source's work in a pool thread; nothing it raises may vanish silently."""
    try:
        task(*args)
    except StoreError as error:
        report.add("errors", f"{label}: {error}")
    except Exception as error:  # an adapter bug: report it, keep syncing the others
        report.add("errors", f"{label}: internal error ({type(error).__name__})")
