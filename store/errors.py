"""Errors the store raises. Each carries a one-line message meant for the user."""

from __future__ import annotations


class StoreError(Exception):
    """Base class: ``str(error)`` is a complete, user-facing, one-line message."""


class StoreMissing(StoreError):
    """No store at the given path (run ``personae init``)."""


class StoreExists(StoreError):
    """``init`` on a path that already holds a store."""


class StoreUnreadable(StoreError):
    """The path exists but cannot be opened or is not a personae store."""


class StoreDamaged(StoreUnreadable):
    """The store's own settings or its wrapped key were changed on disk: "store key
    damaged: …" or "store settings damaged: …". Never a wrong passphrase."""


class StorePermissions(StoreError):
    """Group or others may read or write the store; the message names the chmod fix."""


class StoreBusy(StoreError):
    """Another process held the write lock for longer than the busy timeout."""


class SchemaTooNew(StoreError):
    """The store was written by a newer personae."""


class WrongPassphrase(StoreError):
    """The passphrase does not unwrap the store key."""


class Locked(StoreError):
    """The store's keys were dropped (auto-lock); unlock again."""


class NotFound(StoreError):
    """An unknown persona, account, feed, draft or outbox entry."""


class Conflict(StoreError):
    """A name or value that must be unique already exists, or a state change is not allowed."""


class TamperedValue(StoreError):
    """A value failed authentication: changed on disk, or copied from another row or persona."""

    def __init__(self, table: str, row: int, column: str, persona_id: int) -> None:
        self.table, self.row, self.column, self.persona_id = table, row, column, persona_id
        super().__init__(self.describe(f"persona {persona_id}"))

    def describe(self, persona: str) -> str:
        """The message, naming the persona as the caller knows it (its name, when readable)."""
        return (
            f"{KINDS.get(self.table, self.table)} {self.row} of {persona} failed authentication "
            f"({self.column}): changed on disk or copied from elsewhere; skipped"
        )


# How each table's rows are named in messages.
KINDS = {
    "personas": "persona",
    "accounts": "account",
    "feeds": "feed",
    "items": "timeline item",
    "drafts": "draft",
    "outbox": "outbox entry",
    "guard_terms": "guard term",
}


class GuardDamaged(StoreError):
    """A guard term or account handle failed authentication: the guard cannot read itself,
    so nothing may be queued until the damaged entry is removed."""

    def __init__(self, problem: TamperedValue, persona: str) -> None:
        self.problem, self.persona = problem, persona
        what = KINDS.get(problem.table, problem.table)
        super().__init__(
            f"the publish guard is damaged: {what} {problem.row} of {persona} failed "
            "authentication (changed on disk); nothing is queued until it is removed "
            "('personae guard repair')"
        )


class Invalid(StoreError, ValueError):
    """A value the store will not take (a bad colour, an empty name, a negative delay)."""
