"""Accounts: a persona's identity on one network (handle, server, secret, session)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from personae.store.errors import Conflict, Invalid, NotFound, TamperedValue
from personae.store.models import Account, Persona

if TYPE_CHECKING:
    from personae.store.store import Store

SEALED = ("network", "handle", "server", "secret", "session", "cursor", "pause_reason")


def handle_key(handle: str) -> str:
    return handle.strip().lstrip("@").casefold()


class Accounts:
    TABLE = "accounts"

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
    ) -> Account:
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
            aid = self.store.next_id(self.TABLE)
            values = dict(network=network, handle=handle, server=server, secret=secret)
            values["session"] = session
            cipher = self.store.cipher(persona.id)
            row = {"id": aid, "persona_id": persona.id, "created": time.time(), "paused": 0}
            for column, value in values.items():
                row[column] = cipher.seal(self.TABLE, aid, column, value)
            self.store.db[self.TABLE].insert(row)
        return self.get(aid)

    def list(self, persona_id: int | None = None) -> list[Account]:
        """Accounts that decrypt, of one persona or of all; tampered ones are reported."""
        query = "select * from accounts"
        args: tuple = ()
        if persona_id is not None:
            query, args = query + " where persona_id = ?", (persona_id,)
        accounts = []
        for row in self.store.rows(query + " order by id", args):
            try:
                accounts.append(self._decode(row))
            except TamperedValue as problem:
                self.store.report(problem)
        return accounts

    def get(self, account_id: int) -> Account:
        rows = self.store.rows("select * from accounts where id = ?", (account_id,))
        if not rows:
            raise NotFound(f"no account with id {account_id}")
        return self._decode(rows[0])

    def find(self, persona: Persona, handle: str) -> Account:
        accounts = self.list(persona.id)
        for account in accounts:
            if handle_key(account.handle) == handle_key(handle):
                return account
        known = ", ".join(a.handle for a in accounts) or "none"
        raise NotFound(f"{persona.name} has no account {handle!r} (accounts: {known})")

    def remove(self, account: Account) -> None:
        """Remove the account, what it fetched, and its unsent outbox entries."""
        with self.store.write() as conn:
            conn.execute("delete from outbox where account_id = ?", (account.id,))
            conn.execute(
                "delete from items where source = 'account' and source_id = ?", (account.id,)
            )
            conn.execute("delete from accounts where id = ?", (account.id,))

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

    def _set(self, account: Account, column: str, value: str) -> None:
        sealed = self.store.cipher(account.persona_id).seal(self.TABLE, account.id, column, value)
        with self.store.write() as conn:
            conn.execute(f"update accounts set {column} = ? where id = ?", (sealed, account.id))

    def _decode(self, row: dict) -> Account:
        cipher = self.store.cipher(row["persona_id"])
        opened = {col: cipher.text(self.TABLE, row["id"], col, row[col]) for col in SEALED}
        return Account(
            id=row["id"],
            persona_id=row["persona_id"],
            paused=bool(row["paused"]),
            created=row["created"],
            **opened,
        )
