"""A store written by an older personae opens with today's code and loses nothing: the
schema-3 store in data/schema3.db was written by the code of that schema (legacy_store.py
says how), with every kind of row in every state it could leave them."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from personae.store import GuardDamaged, PostState, Store, schema
from personae.store.files import db_path
from tests.conftest import PASSPHRASE

SCHEMA3 = Path(__file__).parent / "data" / "schema3.db"


@pytest.fixture
def old_store_dir(tmp_path):
    """A private copy of the schema-3 store, as a user's would be."""
    folder = tmp_path / "old"
    folder.mkdir(mode=0o700)
    shutil.copyfile(SCHEMA3, db_path(folder))
    db_path(folder).chmod(0o600)
    return folder


def test_the_schema_3_store_is_what_the_old_code_wrote(old_store_dir) -> None:
    conn = sqlite3.connect(db_path(old_store_dir))
    meta = dict(conn.execute("select key, value from meta"))
    nulls = conn.execute("select count(*) from accounts where cursor is null").fetchone()[0]
    columns = {row[1] for row in conn.execute("pragma table_info(outbox)")}
    conn.close()
    assert meta["schema_version"] == "3" and "key_check" not in meta
    assert nulls == 2 and "owner" not in columns


def test_a_schema_3_store_opens_migrated_with_nothing_lost(old_store_dir) -> None:
    store = Store.open(old_store_dir, PASSPHRASE)
    assert schema.version(store.db) == schema.LATEST == 4
    work, family = store.personas.list()
    assert [(p.name, p.glyph, p.colour, p.position, p.send_delay) for p in (work, family)] == [
        ("Work", "W", "blue", 1, 600),
        ("Family", "F", "orange", 2, 0),
    ]
    assert [(t.persona_id, t.kind, t.term) for t in store.guard.list()] == [
        (work.id, "own", "#acme"),
        (work.id, "blocked", "layoffs"),
        (family.id, "own", "Oreo"),
    ]
    accounts = {a.handle: a for a in store.accounts.list()}
    acme, oss, fam = accounts["dan@acme"], accounts["dan@oss"], accounts["fam"]
    assert (acme.secret, acme.server, acme.cursor, acme.session) == (
        "acme-secret",
        "/srv/acme",
        "",
        "",
    )
    assert (oss.paused, oss.pause_reason, fam.cursor) == (True, "token revoked", "cursor-41")
    assert all(a.verified for a in accounts.values())  # accounts from before count as verified

    feeds = store.feeds.list()
    assert [(f.url, f.etag, f.last_error) for f in feeds] == [
        ("https://cookies.example/feed.xml", '"v1"', ""),
        ("https://gone.example/feed.xml", "", ""),
    ]
    assert [i.text for i in store.timeline.iterate(family.id)] == ["hi", "post 2", "post 1"]

    drafts = {d.text: d for d in store.drafts.list(work.id, states=tuple(PostState))}
    assert drafts["editable draft"].targets == (acme.id, oss.id)
    assert drafts["editable draft"].state == PostState.DRAFT
    entries = {(e.text, e.account_id): e for e in store.outbox.list()}
    offline = entries["waits for the network", acme.id]
    assert (offline.state, offline.offline, offline.reached, offline.owner) == (
        PostState.QUEUED,
        True,
        False,
        "",
    )
    assert offline.details == {}  # what the network chose before the first attempt
    reached = entries["reached a server once", acme.id]
    assert (reached.reached, reached.offline, reached.attempts, reached.details) == (
        True,
        False,
        1,
        {"k": 1},
    )
    sending = entries["mid-send", fam.id]
    assert (sending.state, sending.owner, sending.details) == (
        PostState.SENDING,
        "host:3",
        {"rkey": "3k"},
    )
    sent = entries["already out", fam.id]
    assert (sent.state, sent.remote_id) == (PostState.SENT, "r-1")
    queued = [e for (text, _), e in entries.items() if text == "queued to both"]
    assert [e.details for e in queued] == [None, None]  # never claimed: nothing chosen yet
    assert store.problems == []
    store.close()


def test_after_migration_no_sealed_column_holds_null_and_the_key_check_is_stored(
    old_store_dir,
) -> None:
    Store.open(old_store_dir, PASSPHRASE).close()
    db = sqlite_utils.Database(db_path(old_store_dir))
    for table in db.tables:
        for column in table.columns:
            if column.type == "BLOB":
                nulls = db.execute(
                    f"select count(*) from {table.name} where {column.name} is null"
                ).fetchone()[0]
                assert nulls == 0, f"{table.name}.{column.name}"
    assert db.execute("pragma foreign_key_check").fetchall() == []
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert db.execute("select count(*) from meta where key = 'key_check'").fetchone()[0] == 1
    db.close()


def test_after_migration_a_flipped_guard_kind_or_send_delay_is_detected(old_store_dir) -> None:
    store = Store.open(old_store_dir, PASSPHRASE)
    work = store.personas.find("Work")
    store.conn.execute("update guard_terms set kind = 'own' where kind = 'blocked'")
    with pytest.raises(GuardDamaged, match="of Work"):
        store.guard.check(work, "No layoffs")
    family = store.personas.find("Family")
    delay = store.conn.execute("select send_delay from personas where id = ?", (family.id,))
    store.conn.execute(
        "update personas set send_delay = ? where id = ?", (delay.fetchone()[0], work.id)
    )
    assert [p.name for p in store.personas.list()] == ["Family"]  # Work's delay is not Family's
    store.close()


def test_removing_a_migrated_persona_removes_everything_it_owned(old_store_dir) -> None:
    store = Store.open(old_store_dir, PASSPHRASE)
    store.personas.remove(store.personas.find("Family"))
    for table in ("accounts", "feeds", "items", "drafts", "outbox", "guard_terms"):
        left = store.conn.execute(f"select count(*) from {table} where persona_id = 2")
        assert left.fetchone()[0] == 0, table
    assert len(store.drafts.list(1, states=tuple(PostState))) == 4
    store.close()


def downgrade_to_first_schema(store_dir) -> None:
    """Make the schema-3 store look as the first release wrote it: drop what schemas 2 and
    3 added, and say schema version 1."""
    db = sqlite_utils.Database(db_path(store_dir))
    db.table("accounts").transform(drop={"paused", "pause_reason", "cursor"})
    db.table("feeds").transform(drop={"state", "last_error", "checked"})
    db.execute("drop index if exists idx_items_persona_id_read")
    db.execute("drop index if exists idx_items_persona_id_created_id_read")
    db.table("items").create_index(["persona_id", "created", "id"])
    db.table("meta").upsert({"key": "schema_version", "value": "1"}, pk="key")
    first = sqlite_utils.Database(memory=True)
    schema.migrate(first, upto=1)
    assert columns(db) == columns(first), "the downgrade must match schema 1 exactly"
    db.close()


def columns(db: sqlite_utils.Database) -> dict[str, tuple[list[str], list[str]]]:
    """Each table's columns and indexes."""
    return {
        t.name: (sorted(c.name for c in t.columns), sorted(i.name for i in t.indexes))
        for t in db.tables
    }


def test_a_store_of_the_first_schema_is_migrated_in_place(old_store_dir) -> None:
    downgrade_to_first_schema(old_store_dir)
    store = Store.open(old_store_dir, PASSPHRASE)
    assert schema.version(store.db) == schema.LATEST
    acme = store.accounts.find(store.personas.find("Work"), "dan@acme")
    assert (acme.secret, acme.paused, acme.cursor) == ("acme-secret", False, "")
    assert [f.state for f in store.feeds.list()] == ["active", "active"]
    assert store.problems == []
    store.close()


def test_rows_whose_owner_was_already_gone_are_dropped_as_the_cascade_would(
    old_store_dir,
) -> None:
    conn = sqlite3.connect(db_path(old_store_dir))  # foreign keys off, as an old bug left it
    conn.execute("delete from drafts where id = (select draft_id from outbox where id = 6)")
    conn.commit()
    conn.close()
    store = Store.open(old_store_dir, PASSPHRASE)
    assert [e.id for e in store.outbox.list()] == [5, 4, 3, 2, 1]  # entry 6 lost its draft
    assert store.conn.execute("pragma foreign_key_check").fetchall() == []
    store.close()
