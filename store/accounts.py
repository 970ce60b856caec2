"""Accounts: a persona's identity on one network (handle, server, secret, session)."""

from __future__ import annotations

import builtins
import time
from typing import TYPE_CHECKING

from personae.store.errors import Conflict, Invalid, NotFound
from personae.store.models import Account, Persona, PostState
from personae.store.schema import handle_column

if TYPE_CHECKING:
    from personae.store.store import Row, Store

TABLE = "accounts"


def handle_key(handle: str) -> str:
    return handle.strip().lstrip("@").casefold()


class Accounts:
    TABLE = TABLE

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(
        self,
        persona: Persona,
        network: str,
        handle: str,
        server: str = "",
        secret: str = "",
        session: str = "",
        *,
        verified: bool = True,
    ) -> Account:
        """Add an account. ``verified=False`` (saved without a login the server accepted)
        keeps its handle out of the guard until ``mark_verified``."""
        handle = handle.strip()
        if not handle or not handle.isprintable():
            raise Invalid("an account needs a handle")
        with self.store.write():
            for other in self.list(persona.id):
                if (other.network, handle_key(other.handle), other.server) == (
                    network,
                    handle_key(handle),
                    server,
                ):
                    raise Conflict(f"{persona.name} already has the {network} account {handle}")
            aid = self.store.next_id(TABLE)
            cipher = self.store.cipher(persona.id)
            values = dict(network=network, server=server, secret=secret, session=session)
            row: dict[str, object] = {
                "id": aid,
                "persona_id": persona.id,
                "created": time.time(),
                "paused": 0,
                "verified": int(verified),
                "handle": cipher.seal(TABLE, aid, handle_column(verified), handle),
                "cursor": cipher.seal(TABLE, aid, "cursor", ""),
                "pause_reason": cipher.seal(TABLE, aid, "pause_reason", ""),
            }
            for column, value in values.items():
                row[column] = cipher.seal(TABLE, aid, column, value)
            self.store.insert(TABLE, row)
        return self.get(aid)

    def list(self, persona_id: int | None = None) -> builtins.list[Account]:
        """Accounts that decrypt, of one persona or of all; tampered ones are reported."""
        return self.store.decoded(self._rows(persona_id), self.decode)

    def get(self, account_id: int) -> Account:
        rows = self.store.rows("select * from accounts where id = ?", (account_id,))
        if not rows:
            raise NotFound(f"no account with id {account_id}")
        return self.decode(rows[0])

    def find(self, persona: Persona, handle: str) -> Account:
        accounts = self.list(persona.id)
        for account in accounts:
            if handle_key(account.handle) == handle_key(handle):
                return account
        known = ", ".join(a.handle for a in accounts) or "none"
        raise NotFound(f"{persona.name} has no account {handle!r} (accounts: {known})")

    def remove(self, account: Account) -> None:
        """Remove the account, settling what was queued for it first: its unsent outbox
        entries go back to their drafts (which stay, without this account among their
        targets); entries to the persona's other accounts are untouched. Its sent history
        and what it fetched go with it (schema.py's cascades)."""
        self.remove_row(account.id, account.persona_id)

    def remove_row(self, account_id: int, persona_id: int) -> None:
        """``remove`` by id, also for an account whose values no longer decrypt."""
        drafts = self.store.drafts
        with self.store.write() as conn:
            affected = [
                row[0]
                for row in conn.execute(
                    "select distinct draft_id from outbox where account_id = ? and state != ?",
                    (account_id, PostState.SENT),
                )
            ]
            conn.execute("delete from accounts where id = ?", (account_id,))
            for draft in drafts.list(persona_id, states=tuple(PostState)):
                if account_id in draft.targets:
                    drafts.set_targets(draft, [t for t in draft.targets if t != account_id])
            for draft_id in affected:
                self.store.outbox.settle(draft_id)

    def mark_verified(self, account: Account, handle: str = "") -> Account:
        """The server accepted this account's login: its handle — the one the server named,
        when given — becomes a guard term."""
        cipher = self.store.cipher(account.persona_id)
        handle = handle.strip() or account.handle
        sealed = cipher.seal(TABLE, account.id, handle_column(True), handle)
        with self.store.write() as conn:
            conn.execute(
                "update accounts set verified = 1, handle = ? where id = ?", (sealed, account.id)
            )
        return self.get(account.id)

    def set_session(self, account: Account, session: str) -> None:
        self._set(account, "session", session)

    def set_cursor(self, account: Account, cursor: str) -> None:
        self._set(account, "cursor", cursor)

    def set_secret(self, account: Account, secret: str) -> None:
        self._set(account, "secret", secret)

    def pause(self, account: Account, reason: str) -> None:
        """Stop publishing through this account until ``resume`` (e.g. bad credentials)."""
        with self.store.write() as conn:
            self._set(account, "pause_reason", reason)
            conn.execute("update accounts set paused = 1 where id = ?", (account.id,))

    def resume(self, account: Account) -> None:
        with self.store.write() as conn:
            self._set(account, "pause_reason", "")
            conn.execute("update accounts set paused = 0 where id = ?", (account.id,))

    def _rows(self, persona_id: int | None) -> builtins.list[Row]:
        if persona_id is None:
            return self.store.rows("select * from accounts order by id")
        return self.store.rows(
            "select * from accounts where persona_id = ? order by id", (persona_id,)
        )

    def _set(self, account: Account, column: str, value: str) -> None:
        sealed = self.store.cipher(account.persona_id).seal(TABLE, account.id, column, value)
        with self.store.write() as conn:
            conn.execute(f"update accounts set {column} = ? where id = ?", (sealed, account.id))

    def decode(self, row: Row) -> Account:
        """One row opened; raises ``TamperedValue`` when any of its values fails."""
        cipher = self.store.cipher(row["persona_id"])
        verified = bool(row["verified"])
        return Account(
            id=row["id"],
            persona_id=row["persona_id"],
            network=cipher.field(TABLE, row, "network"),
            handle=cipher.field(TABLE, row, "handle", handle_column(verified)),
            server=cipher.field(TABLE, row, "server"),
            secret=cipher.field(TABLE, row, "secret"),
            session=cipher.field(TABLE, row, "session"),
            cursor=cipher.field(TABLE, row, "cursor"),
            paused=bool(row["paused"]),
            pause_reason=cipher.field(TABLE, row, "pause_reason"),
            created=row["created"],
            verified=verified,
        )
