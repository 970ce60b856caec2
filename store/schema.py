"""Tables and migrations. Columns of type BLOB hold sealed values (see crypto.py); everything
else in plaintext is an id, a timestamp, a state or a keyed tag that reveals nothing."""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from personae.store.errors import SchemaTooNew


def _v1(db: sqlite_utils.Database) -> None:
    """The first schema: every entity of the design card."""
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["personas"].create(
        {
            "id": int,
            "created": float,
            "position": int,  # 1–9: the key that switches to it; NULL when it has none
            "send_delay": int,  # seconds a queued post waits before it may be sent
            "wrapped_key": bytes,  # the persona's data key, sealed by the store key
            "name": bytes,
            "glyph": bytes,
            "colour": bytes,
        },
        pk="id",
    )
    db["guard_terms"].create(
        {"id": int, "persona_id": int, "kind": str, "created": float, "term": bytes},
        pk="id",
        foreign_keys=[("persona_id", "personas", "id")],
    )
    db["accounts"].create(
        {
            "id": int,
            "persona_id": int,
            "created": float,
            "network": bytes,
            "handle": bytes,
            "server": bytes,
            "secret": bytes,
            "session": bytes,
        },
        pk="id",
        foreign_keys=[("persona_id", "personas", "id")],
    )
    db["feeds"].create(
        {
            "id": int,
            "persona_id": int,
            "created": float,
            "url": bytes,
            "etag": bytes,
            "last_modified": bytes,
        },
        pk="id",
        foreign_keys=[("persona_id", "personas", "id")],
    )
    db["items"].create(
        {
            "id": int,
            "persona_id": int,
            "source": str,  # "feed" or "account"
            "source_id": int,
            "remote_tag": bytes,  # keyed tag of the remote id: deduplicates, reveals nothing
            "created": float,
            "fetched": float,
            "read": int,
            "body": bytes,  # sealed JSON: author, title, text, url
        },
        pk="id",
        foreign_keys=[("persona_id", "personas", "id")],
    )
    db["items"].create_index(["source", "source_id", "remote_tag"], unique=True)
    db["items"].create_index(["persona_id", "created", "id"])
    db["drafts"].create(
        {
            "id": int,
            "persona_id": int,
            "created": float,
            "updated": float,
            "state": str,  # "draft" while editable, "queued" once in the outbox
            "text": bytes,
            "targets": bytes,  # sealed JSON list of account ids
        },
        pk="id",
        foreign_keys=[("persona_id", "personas", "id")],
    )
    db["outbox"].create(
        {
            "id": int,
            "draft_id": int,
            "persona_id": int,
            "account_id": int,
            "created": float,
            "updated": float,
            "state": str,  # queued → sending → sent | failed
            "idem_key": str,  # random; chosen and stored before the first attempt
            "attempts": int,
            "next_attempt": float,
            "payload": bytes,  # sealed JSON: the text as queued, and network details
            "remote_id": bytes,
            "last_error": bytes,
        },
        pk="id",
        foreign_keys=[
            ("draft_id", "drafts", "id"),
            ("persona_id", "personas", "id"),
            ("account_id", "accounts", "id"),
        ],
    )
    db["outbox"].create_index(["state", "next_attempt"])
    db["outbox"].create_index(["draft_id"])


def _v2(db: sqlite_utils.Database) -> None:
    """Queue control for the sync engine: paused accounts, feed state, fetch cursors."""
    db["accounts"].add_column("paused", int, not_null_default=0)
    db["accounts"].add_column("pause_reason", bytes)
    db["accounts"].add_column("cursor", bytes)
    db["feeds"].add_column("state", str, not_null_default="active")
    db["feeds"].add_column("last_error", bytes)
    db["feeds"].add_column("checked", float)
    db["items"].create_index(["persona_id", "read"])


def _v3(db: sqlite_utils.Database) -> None:
    """A covering index for a timeline's (id, read) list, which the app reads on every
    start and swap: 50,000 items took ~100 ms through the table, a few ms through this."""
    db.execute("drop index if exists idx_items_persona_id_created_id")
    db["items"].create_index(["persona_id", "created", "id", "read"])


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2, _v3]
LATEST = len(MIGRATIONS)


def version(db: sqlite_utils.Database) -> int:
    if not db["meta"].exists():
        return 0
    row = db.execute("select value from meta where key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def refuse_newer(db: sqlite_utils.Database) -> None:
    """A store written by a newer personae is refused rather than guessed at."""
    found = version(db)
    if found > LATEST:
        raise SchemaTooNew(
            f"this store has schema version {found}, newer than this personae understands "
            f"({LATEST}); upgrade personae to open it"
        )


def migrate(db: sqlite_utils.Database, upto: int = LATEST) -> int:
    """Bring the schema to ``upto`` in one transaction; return the version found before."""
    refuse_newer(db)
    found = version(db)
    with db.atomic():
        for number in range(found + 1, upto + 1):
            MIGRATIONS[number - 1](db)
            db["meta"].upsert({"key": "schema_version", "value": str(number)}, pk="key")
    return found
