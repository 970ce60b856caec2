"""Tables and migrations. Columns of type BLOB hold sealed values (see crypto.py); everything
else in plaintext is an id, a timestamp, a state or a keyed tag that reveals nothing.

Cascades live here, in SQL, and nowhere else: deleting a persona deletes every row it owns
(``on delete cascade``), deleting a draft or an account deletes its outbox entries, and
deleting a feed or an account deletes the timeline items it brought (two triggers, because an
item's source is a feed or an account). What must happen *before* a delete (an account's
unsent posts going back to drafts) is the repository's job."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

import sqlite_utils

from personae.store.crypto import PersonaCipher
from personae.store.errors import SchemaTooNew, StoreError, TamperedValue
from personae.store.models import FeedState, SourceKind


class Keys(Protocol):
    """What a migration that reseals values needs: the store, unlocked."""

    def cipher(self, persona_id: int) -> PersonaCipher: ...


Migration = Callable[[sqlite_utils.Database, "Keys | None"], None]


def _v1(db: sqlite_utils.Database, keys: Keys | None) -> None:
    """The first schema: every entity of the design card."""
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("personas").create(
        {
            "id": int,
            "created": float,
            "position": int,
            "send_delay": int,
            "wrapped_key": bytes,
            "name": bytes,
            "glyph": bytes,
            "colour": bytes,
        },
        pk="id",
    )
    db.table("guard_terms").create(
        {"id": int, "persona_id": int, "kind": str, "created": float, "term": bytes},
        pk="id",
        foreign_keys=[("persona_id", "personas", "id")],
    )
    db.table("accounts").create(
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
    db.table("feeds").create(
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
    db.table("items").create(
        {
            "id": int,
            "persona_id": int,
            "source": str,
            "source_id": int,
            "remote_tag": bytes,
            "created": float,
            "fetched": float,
            "read": int,
            "body": bytes,
        },
        pk="id",
        foreign_keys=[("persona_id", "personas", "id")],
    )
    db.table("items").create_index(["source", "source_id", "remote_tag"], unique=True)
    db.table("items").create_index(["persona_id", "created", "id"])
    db.table("drafts").create(
        {
            "id": int,
            "persona_id": int,
            "created": float,
            "updated": float,
            "state": str,
            "text": bytes,
            "targets": bytes,
        },
        pk="id",
        foreign_keys=[("persona_id", "personas", "id")],
    )
    db.table("outbox").create(
        {
            "id": int,
            "draft_id": int,
            "persona_id": int,
            "account_id": int,
            "created": float,
            "updated": float,
            "state": str,
            "idem_key": str,
            "attempts": int,
            "next_attempt": float,
            "payload": bytes,
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
    db.table("outbox").create_index(["state", "next_attempt"])
    db.table("outbox").create_index(["draft_id"])


def _v2(db: sqlite_utils.Database, keys: Keys | None) -> None:
    """Queue control for the sync engine: paused accounts, feed state, fetch cursors."""
    db.table("accounts").add_column("paused", int, not_null_default=0)
    db.table("accounts").add_column("pause_reason", bytes)
    db.table("accounts").add_column("cursor", bytes)
    db.table("feeds").add_column("state", str, not_null_default=FeedState.ACTIVE.value)
    db.table("feeds").add_column("last_error", bytes)
    db.table("feeds").add_column("checked", float)
    db.table("items").create_index(["persona_id", "read"])


def _v3(db: sqlite_utils.Database, keys: Keys | None) -> None:
    """A covering index for a timeline's (id, read) list, which the app reads on every
    start and swap: 50,000 items took ~100 ms through the table, a few ms through this."""
    db.execute("drop index if exists idx_items_persona_id_created_id")
    db.table("items").create_index(["persona_id", "created", "id", "read"])


# Schema 4, the tables as they are now. Every sealed column is NOT NULL: an empty value is
# sealed too, so a NULL can only be a deletion on disk. A guard term's kind and an account's
# "verified" are bound into the associated data of its term or handle (see term_column and
# handle_column); a persona's send delay is sealed.
TABLES = {
    "personas": """
        id integer primary key,
        created float,
        position integer,  -- 1–9: the key that switches to it; NULL when it has none
        wrapped_key blob not null,  -- the persona's data key, sealed by the store key
        name blob not null,
        glyph blob not null,
        colour blob not null,
        send_delay blob not null  -- sealed seconds a queued post waits before it is sent
    """,
    "guard_terms": """
        id integer primary key,
        persona_id integer not null references personas (id) on delete cascade,
        kind text not null,  -- own | blocked
        created float,
        term blob not null
    """,
    "accounts": """
        id integer primary key,
        persona_id integer not null references personas (id) on delete cascade,
        created float,
        network blob not null,
        handle blob not null,
        server blob not null,
        secret blob not null,
        session blob not null,
        cursor blob not null,
        paused integer not null default 0,
        pause_reason blob not null,
        verified integer not null default 1  -- its handle is a guard term only once verified
    """,
    "feeds": f"""
        id integer primary key,
        persona_id integer not null references personas (id) on delete cascade,
        created float,
        url blob not null,
        etag blob not null,
        last_modified blob not null,
        state text not null default '{FeedState.ACTIVE}',
        last_error blob not null,
        checked float
    """,
    "items": """
        id integer primary key,
        persona_id integer not null references personas (id) on delete cascade,
        source text not null,  -- feed | account
        source_id integer not null,
        remote_tag blob not null,  -- keyed tag of the remote id: deduplicates, reveals nothing
        created float,
        fetched float,
        read integer not null default 0,
        body blob not null  -- sealed JSON: author, title, text, url, remote id
    """,
    "drafts": """
        id integer primary key,
        persona_id integer not null references personas (id) on delete cascade,
        created float,
        updated float,
        state text not null,  -- draft while editable, queued once in the outbox, sent
        text blob not null,
        targets blob not null  -- sealed JSON list of account ids
    """,
    "outbox": """
        id integer primary key,
        draft_id integer not null references drafts (id) on delete cascade,
        persona_id integer not null references personas (id) on delete cascade,
        account_id integer not null references accounts (id) on delete cascade,
        created float,
        updated float,
        state text not null,  -- queued → sending → sent | failed
        idem_key text not null,  -- random; chosen and stored before the first attempt
        attempts integer not null default 0,
        next_attempt float,
        payload blob not null,  -- sealed JSON: the text as queued, the network's details
        remote_id blob not null,
        last_error blob not null,
        owner blob not null,  -- sealed "host:pid" of the process sending it, else empty
        offline integer not null default 0,  -- waits only because no server answered
        reached integer not null default 0  -- an attempt reached a server: may be published
    """,
}
# (table, columns, unique), named as sqlite-utils named the older schemas' indexes.
INDEXES = [
    ("items", ("source", "source_id", "remote_tag"), True),
    ("items", ("persona_id", "read"), False),
    ("items", ("persona_id", "created", "id", "read"), False),
    ("outbox", ("state", "next_attempt"), False),
    ("outbox", ("draft_id",), False),
    ("outbox", ("account_id",), False),
    ("drafts", ("persona_id", "state"), False),
]
TRIGGERS = {
    "feed_items_go_with_their_feed": ("feeds", SourceKind.FEED),
    "account_items_go_with_their_account": ("accounts", SourceKind.ACCOUNT),
}
# Sealed columns and what an empty one holds, for filling the NULLs older schemas left.
EMPTY = {
    "guard_terms": {"term": ""},
    "accounts": {c: "" for c in ("network", "server", "secret", "session", "cursor")}
    | {"pause_reason": ""},
    "feeds": {c: "" for c in ("url", "etag", "last_modified", "last_error")},
    "drafts": {"text": "", "targets": "[]"},
    "outbox": {"remote_id": "", "last_error": ""},
    "personas": {c: "" for c in ("name", "glyph", "colour")},
}


def term_column(kind: str) -> str:
    """The column name a guard term is sealed under: its kind is part of what is
    authenticated, so a blocked term flipped to "own" on disk no longer opens."""
    return f"term:{kind}"


def handle_column(verified: bool) -> str:
    """Likewise for an account's handle and whether it was verified."""
    return "handle:verified" if verified else "handle:unverified"


def _v4(db: sqlite_utils.Database, keys: Keys | None) -> None:
    """Authenticated guard kinds and send delays, no NULL in sealed columns, typed outbox
    control columns, verified accounts, and cascades in SQL (tables rebuilt: SQLite cannot
    add ON DELETE CASCADE to a table in place)."""
    rebuild = _Rebuild(db, keys)
    rebuild.fill_nulls()
    for table in TABLES:
        rebuild.table(table)
    for table, columns, unique in INDEXES:
        db.execute(
            f"create {'unique ' if unique else ''}index idx_{table}_{'_'.join(columns)} "
            f"on {table} ({', '.join(columns)})"
        )
    for name, (table, source) in TRIGGERS.items():
        db.execute(
            f"create trigger {name} after delete on {table} begin "
            f"delete from items where source = '{source}' and source_id = old.id; end"
        )
    # Rows whose persona, draft or account is gone (the old hand-written cascades could
    # miss one) go now, as the cascade would have taken them; until none is left, since a
    # draft that goes takes its outbox entries with it.
    while orphans := db.execute("pragma foreign_key_check").fetchall():
        for table, rowid, _parent, _key in orphans:
            db.execute(f"delete from {table} where rowid = ?", (rowid,))


class _Rebuild:
    """Schema 4's table rebuilds, resealing what the new layout authenticates differently.
    A value that does not open (already damaged) is copied as it is: it stays reported."""

    def __init__(self, db: sqlite_utils.Database, keys: Keys | None) -> None:
        self.db, self.keys = db, keys

    def cipher(self, persona_id: int) -> PersonaCipher | None:
        if self.keys is None:
            raise StoreError("this store needs its passphrase to be migrated")
        try:
            return self.keys.cipher(persona_id)
        except StoreError:  # a damaged wrapped key is a TamperedValue, a StoreError too
            return None  # its key does not open: its rows stay as they are

    def fill_nulls(self) -> None:
        """Seal an empty value wherever an older schema left NULL."""
        for table, columns in EMPTY.items():
            owner = "id" if table == "personas" else "persona_id"
            for column, empty in columns.items():
                rows = self.db.execute(
                    f"select id, {owner} from {table} where {column} is null"
                ).fetchall()
                for row_id, persona_id in rows:
                    cipher = self.cipher(persona_id)
                    if cipher is not None:
                        self.db.execute(
                            f"update {table} set {column} = ? where id = ?",
                            (cipher.seal(table, row_id, column, empty), row_id),
                        )

    def table(self, table: str) -> None:
        """Create the new table, copy every row (through its transform, if it has one),
        swap the two. A NULL left in a NOT NULL column (its persona's key does not open)
        becomes an empty value, which fails authentication as the NULL would have."""
        self.db.execute(f"create table new_{table} ({TABLES[table]})")
        info = self.db.execute(f"pragma table_info(new_{table})").fetchall()
        required = {column[1] for column in info if column[3]}
        transform: Callable[[dict[str, Any]], dict[str, Any]] | None
        transform = getattr(self, f"_{table}", None)
        if transform is None:  # the same columns: one statement, fast for a big timeline
            names = [column[1] for column in info]
            select = [f"coalesce({n}, x'')" if n in required else n for n in names]
            self.db.execute(
                f"insert into new_{table} ({', '.join(names)}) "
                f"select {', '.join(select)} from {table}"
            )
        else:
            cursor = self.db.execute(f"select * from {table}")
            names = [d[0] for d in cursor.description]
            for values in cursor.fetchall():
                row = transform(dict(zip(names, values, strict=True)))
                row = {k: b"" if v is None and k in required else v for k, v in row.items()}
                self.db.execute(
                    f"insert into new_{table} ({', '.join(row)}) "
                    f"values ({', '.join('?' * len(row))})",
                    tuple(row.values()),
                )
        self.db.execute(f"drop table {table}")
        self.db.execute(f"alter table new_{table} rename to {table}")

    def _reseal(self, row: dict[str, Any], table: str, column: str, new: str) -> None:
        """Reseal ``column`` under the associated data of column name ``new``."""
        cipher = self.cipher(row["persona_id"])
        if cipher is None:
            return
        try:
            value = cipher.unseal(table, row["id"], column, row[column])
        except TamperedValue:
            return
        row[column] = cipher.seal(table, row["id"], new, value)

    def _personas(self, row: dict[str, Any]) -> dict[str, Any]:
        cipher = self.cipher(row["id"])
        delay = str(int(row["send_delay"] or 0))
        row["send_delay"] = (
            cipher.seal("personas", row["id"], "send_delay", delay) if cipher else None
        )
        return row

    def _guard_terms(self, row: dict[str, Any]) -> dict[str, Any]:
        self._reseal(row, "guard_terms", "term", term_column(row["kind"]))
        return row

    def _accounts(self, row: dict[str, Any]) -> dict[str, Any]:
        row["verified"] = 1  # accounts from before verification flags count as verified
        self._reseal(row, "accounts", "handle", handle_column(True))
        return row

    def _outbox(self, row: dict[str, Any]) -> dict[str, Any]:
        """Control flags move out of the sealed details into columns of their own."""
        cipher = self.cipher(row["persona_id"])
        row.update(owner=b"", offline=0, reached=0)
        if cipher is None:
            return row
        try:
            payload = json.loads(cipher.unseal("outbox", row["id"], "payload", row["payload"]))
        except TamperedValue:
            return row
        details = payload.get("details") or {}
        row["owner"] = cipher.seal("outbox", row["id"], "owner", str(details.get("owner", "")))
        row["offline"] = int(bool(details.get("offline")))
        row["reached"] = int(bool(details.get("reached")))
        payload = {"text": payload.get("text", ""), "details": details.get("net")}
        row["payload"] = cipher.seal_json("outbox", row["id"], "payload", payload)
        return row


MIGRATIONS: list[Migration] = [_v1, _v2, _v3, _v4]
LATEST = len(MIGRATIONS)


def version(db: sqlite_utils.Database) -> int:
    if not db.table("meta").exists():
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


def migrate(db: sqlite_utils.Database, upto: int = LATEST, keys: Keys | None = None) -> int:
    """Bring the schema to ``upto`` in one transaction; return the version found before.
    Run with foreign keys off (``Store.migrate`` does): tables are rebuilt."""
    refuse_newer(db)
    found = version(db)
    with db.atomic():
        for number in range(found + 1, upto + 1):
            MIGRATIONS[number - 1](db, keys)
            db.execute(
                "insert into meta (key, value) values ('schema_version', ?) "
                "on conflict (key) do update set value = excluded.value",
                (str(number),),
            )
    return found
