"""The outbox: one entry per (post, account), queued → sending → sent | failed.

Every entry gets its idempotency key when it is queued, and its network details (e.g. a
Bluesky record key) are stored when it is claimed, before the first attempt: a retry after
a crash sends the same thing again, and the network recognises it."""

from __future__ import annotations

import builtins
import secrets
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from personae.store.errors import Conflict, Invalid, NotFound
from personae.store.models import Account, Draft, OutboxEntry, PostState

if TYPE_CHECKING:
    from personae.store.store import Row, Store

QUEUED, SENDING, SENT, FAILED = (
    PostState.QUEUED,
    PostState.SENDING,
    PostState.SENT,
    PostState.FAILED,
)
TABLE = "outbox"
LEASE_SECONDS = 120  # a claim older than this belongs to a process that died


class Outbox:
    def __init__(self, store: Store) -> None:
        self.store = store

    def enqueue(self, draft: Draft, accounts: Sequence[Account], delay: int = 0) -> list[int]:
        """Queue the draft for each account; it becomes due after ``delay`` seconds."""
        if not accounts:
            raise Invalid("choose at least one account to publish to")
        if not draft.text.strip():
            raise Invalid("an empty post cannot be published")
        if any(a.persona_id != draft.persona_id for a in accounts):
            raise Conflict("a post can only go to accounts of its own persona")
        now = time.time()
        cipher = self.store.cipher(draft.persona_id)
        with self.store.write() as conn:
            state = conn.execute("select state from drafts where id = ?", (draft.id,)).fetchone()
            if state is None or state[0] != PostState.DRAFT:
                raise Conflict(f"draft {draft.id} is already queued or sent")
            ids = []
            for account in accounts:
                entry_id = self.store.next_id(TABLE)
                row: dict[str, object] = {
                    "id": entry_id,
                    "draft_id": draft.id,
                    "persona_id": draft.persona_id,
                    "account_id": account.id,
                    "created": now,
                    "updated": now,
                    "state": QUEUED,
                    "idem_key": secrets.token_urlsafe(18),
                    "attempts": 0,
                    "next_attempt": now + delay,
                    "payload": self._payload(draft.persona_id, entry_id, draft.text, None),
                }
                for column in ("remote_id", "last_error", "owner"):
                    row[column] = cipher.seal(TABLE, entry_id, column, "")
                self.store.insert(TABLE, row)
                ids.append(entry_id)
            self.store.drafts.set_state(draft.id, PostState.QUEUED)
        return ids

    def list(
        self, persona_id: int | None = None, states: Sequence[PostState] = ()
    ) -> builtins.list[OutboxEntry]:
        query, args = "select * from outbox where 1", builtins.list[object]()
        if persona_id is not None:
            query += " and persona_id = ?"
            args.append(persona_id)
        if states:
            query += f" and state in ({','.join('?' * len(states))})"
            args.extend(states)
        return self.store.decoded(self.store.rows(query + " order by id desc", args), self._decode)

    def get(self, entry_id: int) -> OutboxEntry:
        rows = self.store.rows("select * from outbox where id = ?", (entry_id,))
        if not rows:
            raise NotFound(f"no outbox entry {entry_id}")
        return self._decode(rows[0])

    def pending(self, persona_id: int | None = None) -> builtins.list[OutboxEntry]:
        """Entries still to publish (queued, or claimed by a sender) through accounts that
        are not paused, oldest due first. Which are due now is the sync engine's call."""
        query = (
            "select outbox.* from outbox join accounts on accounts.id = outbox.account_id "
            "where outbox.state in (?, ?) and accounts.paused = 0"
        )
        args: tuple[object, ...] = (QUEUED, SENDING)
        if persona_id is not None:
            query, args = query + " and outbox.persona_id = ?", (*args, persona_id)
        rows = self.store.rows(query + " order by outbox.next_attempt, outbox.id", args)
        return self.store.decoded(rows, self._decode)

    def claim(
        self,
        entry: OutboxEntry,
        details: dict[str, Any] | None = None,
        owner: str = "",
        take_over: bool = False,
        offline_too: bool = False,
    ) -> OutboxEntry | None:
        """Take the entry for one attempt, storing the network's ``details`` the first time
        (later claims keep the first ones).

        Atomic across processes: returns None when the entry is not due, or when another
        process claimed it first. ``take_over`` takes a claim whose owner is known to be
        dead, provided it is still the claim the caller saw; ``offline_too`` takes a queued
        entry that waits only because no server could be reached (a manual sync)."""
        now = time.time()
        cipher = self.store.cipher(entry.persona_id)
        with self.store.write() as conn:
            current = self.get(entry.id)
            waiting_for_network = offline_too and current.state == QUEUED and current.offline
            due = current.state in (QUEUED, SENDING) and (
                current.next_attempt <= now or waiting_for_network
            )
            abandoned = take_over and current.state == SENDING and current.owner == entry.owner
            if not (due or abandoned):
                return None
            if current.details is None and details is not None:
                payload = self._payload(entry.persona_id, entry.id, current.text, details)
                conn.execute("update outbox set payload = ? where id = ?", (payload, entry.id))
            conn.execute(
                "update outbox set state = ?, attempts = attempts + 1, next_attempt = ?, "
                "updated = ?, owner = ? where id = ?",
                (
                    SENDING,
                    now + LEASE_SECONDS,
                    now,
                    cipher.seal(TABLE, entry.id, "owner", owner),
                    entry.id,
                ),
            )
        return self.get(entry.id)

    def mark_sent(self, entry: OutboxEntry, remote_id: str) -> None:
        cipher = self.store.cipher(entry.persona_id)
        with self.store.write() as conn:
            conn.execute(
                "update outbox set state = ?, updated = ?, remote_id = ?, last_error = ?, "
                "owner = ? where id = ?",
                (
                    SENT,
                    time.time(),
                    cipher.seal(TABLE, entry.id, "remote_id", remote_id),
                    cipher.seal(TABLE, entry.id, "last_error", ""),
                    cipher.seal(TABLE, entry.id, "owner", ""),
                    entry.id,
                ),
            )
            self.settle(entry.draft_id)

    def retry_later(
        self, entry: OutboxEntry, error: str, at: float, reached_server: bool = True
    ) -> None:
        """Back to the queue after a transient error, due again at ``at``.

        ``reached_server=False`` (no connection was made) means nothing was published: the
        attempt does not count against the entry's budget, and it is marked as waiting for
        the network, so a manual sync may try it again at once."""
        self._release(entry, QUEUED, error, at, reached_server, attempt=reached_server)

    def mark_failed(self, entry: OutboxEntry, error: str, reached_server: bool = True) -> None:
        """A permanent error: the entry stops here with its reason."""
        self._release(entry, FAILED, error, time.time(), reached_server)

    def hold(self, entry: OutboxEntry, error: str) -> None:
        """Return a claimed entry to the queue untried, e.g. because its account was paused."""
        self._release(entry, QUEUED, error, time.time(), reached_server=False, attempt=False)

    def retry(self, entry: OutboxEntry) -> None:
        """Send a failed entry again, now, with a fresh attempt budget."""
        with self.store.write() as conn:
            if self.get(entry.id).state != FAILED:
                raise Conflict(f"outbox entry {entry.id} has not failed")
            conn.execute(
                "update outbox set state = ?, attempts = 0, next_attempt = ?, updated = ? "
                "where id = ?",
                (QUEUED, time.time(), time.time(), entry.id),
            )
            self.store.drafts.set_state(entry.draft_id, PostState.QUEUED)

    def cancel(self, entry: OutboxEntry) -> Draft:
        """Take the entry's post back out of the outbox and make it an editable draft again.

        Allowed while nothing of it can have reached a network: during the send delay, or
        after permanent failures."""
        with self.store.write() as conn:
            siblings = [e for e in self.list(entry.persona_id) if e.draft_id == entry.draft_id]
            for sibling in siblings:
                reached = sibling.reached and sibling.state != FAILED
                if sibling.state in (SENT, SENDING) or reached:
                    raise Conflict(
                        f"too late to cancel: outbox entry {sibling.id} is {sibling.state}"
                        + (" and may have been published" if sibling.state != SENT else "")
                    )
            conn.execute("delete from outbox where draft_id = ?", (entry.draft_id,))
            self.settle(entry.draft_id)
        return self.store.drafts.get(entry.draft_id)

    def settle(self, draft_id: int) -> None:
        """A draft's state from its entries: none left is an editable draft again, all
        sent is sent, anything else stays queued."""
        states = {
            row[0]
            for row in self.store.conn.execute(
                "select state from outbox where draft_id = ?", (draft_id,)
            )
        }
        if not states:
            self.store.drafts.set_state(draft_id, PostState.DRAFT)
        elif states == {SENT}:
            self.store.drafts.set_state(draft_id, PostState.SENT)

    def _release(
        self,
        entry: OutboxEntry,
        state: PostState,
        error: str,
        at: float,
        reached_server: bool,
        attempt: bool = True,
    ) -> None:
        cipher = self.store.cipher(entry.persona_id)
        with self.store.write() as conn:
            conn.execute(
                "update outbox set state = ?, next_attempt = ?, updated = ?, last_error = ?, "
                "owner = ?, offline = ?, reached = max(reached, ?), attempts = attempts - ? "
                "where id = ?",
                (
                    state,
                    at,
                    time.time(),
                    cipher.seal(TABLE, entry.id, "last_error", error),
                    cipher.seal(TABLE, entry.id, "owner", ""),
                    int(not reached_server),
                    int(reached_server),  # the network may hold this post now: no cancel
                    0 if attempt else 1,
                    entry.id,
                ),
            )
            if state == FAILED:
                self.settle(entry.draft_id)

    def _payload(
        self, persona_id: int, entry_id: int, text: str, details: dict[str, Any] | None
    ) -> bytes:
        payload = {"text": text, "details": details}
        return self.store.cipher(persona_id).seal_json(TABLE, entry_id, "payload", payload)

    def _decode(self, row: Row) -> OutboxEntry:
        cipher = self.store.cipher(row["persona_id"])
        payload = cipher.json(TABLE, row["id"], "payload", row["payload"])
        return OutboxEntry(
            id=row["id"],
            draft_id=row["draft_id"],
            persona_id=row["persona_id"],
            account_id=row["account_id"],
            state=PostState(row["state"]),
            idem_key=row["idem_key"],
            attempts=row["attempts"],
            next_attempt=row["next_attempt"],
            created=row["created"],
            updated=row["updated"],
            text=payload["text"],
            details=payload["details"],
            remote_id=cipher.field(TABLE, row, "remote_id"),
            last_error=cipher.field(TABLE, row, "last_error"),
            owner=cipher.field(TABLE, row, "owner"),
            offline=bool(row["offline"]),
            reached=bool(row["reached"]),
        )
