"""Opening a store: the right passphrase unlocks it, anything else changes nothing."""

from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils

from personae.store import (
    KdfParams,
    Locked,
    SchemaTooNew,
    Store,
    StoreExists,
    StoreMissing,
    StoreUnreadable,
    WrongPassphrase,
    schema,
)
from personae.store.files import db_path
from tests.conftest import PASSPHRASE


def snapshot(store_dir) -> dict[str, list]:
    """Every row of every table, to compare a store before and after."""
    conn = sqlite3.connect(db_path(store_dir))
    tables = [r[0] for r in conn.execute("select name from sqlite_master where type='table'")]
    rows = {t: conn.execute(f"select * from {t} order by rowid").fetchall() for t in tables}
    conn.close()
    return rows


def test_the_right_passphrase_opens_what_was_written(store, store_dir, work) -> None:
    store.drafts.save(work.id, "quarterly numbers")
    store.close()
    again = Store.open(store_dir, PASSPHRASE)
    assert [d.text for d in again.drafts.list(work.id)] == ["quarterly numbers"]
    again.close()


def test_a_wrong_passphrase_is_refused_and_changes_nothing(store, store_dir, work) -> None:
    store.close()
    before = snapshot(store_dir)
    with pytest.raises(WrongPassphrase, match="passphrase"):
        Store.open(store_dir, "not the passphrase")
    assert snapshot(store_dir) == before


def test_the_default_key_derivation_is_argon2id_with_64_mib() -> None:
    params = KdfParams.fresh()
    assert params.memory_kib >= 64 * 1024
    assert len(params.salt) == 16


def test_changing_the_passphrase_rewraps_one_key_and_reencrypts_no_row(
    store, store_dir, work, family
) -> None:
    store.drafts.save(work.id, "draft one")
    store.accounts.add(family, "local", "fam", "/srv/x", "secret")
    store.close()
    before = snapshot(store_dir)
    opened = Store.open(store_dir, PASSPHRASE)
    opened.change_passphrase("a brand new passphrase", kdf=KdfParams.cheap())
    opened.close()
    after = snapshot(store_dir)
    assert {t: rows for t, rows in after.items() if t != "meta"} == {
        t: rows for t, rows in before.items() if t != "meta"
    }
    changed = set(before["meta"]) ^ set(after["meta"])
    assert {row[0] for row in changed} == {"kdf", "store_key"}
    with pytest.raises(WrongPassphrase):
        Store.open(store_dir, PASSPHRASE)
    reopened = Store.open(store_dir, "a brand new passphrase")
    assert reopened.drafts.list(work.id)[0].text == "draft one"
    reopened.close()


def test_a_locked_store_refuses_to_read_until_unlocked(store, work) -> None:
    store.drafts.save(work.id, "private")
    store.lock()
    with pytest.raises(Locked):
        store.drafts.list(work.id)
    with pytest.raises(WrongPassphrase):
        store.unlock("guess")
    store.unlock(PASSPHRASE)
    assert store.drafts.list(work.id)[0].text == "private"


def test_a_missing_store_says_how_to_create_one(tmp_path) -> None:
    with pytest.raises(StoreMissing, match="personae init"):
        Store.open(tmp_path / "nowhere", PASSPHRASE)


def test_creating_over_an_existing_store_is_refused(store, store_dir) -> None:
    with pytest.raises(StoreExists):
        Store.create(store_dir, "another", kdf=KdfParams.cheap())


def test_a_file_that_is_not_a_store_is_reported(tmp_path) -> None:
    folder = tmp_path / "junk"
    folder.mkdir(mode=0o700)
    db_path(folder).write_bytes(b"this is not sqlite" * 100)
    db_path(folder).chmod(0o600)
    with pytest.raises(StoreUnreadable):
        Store.open(folder, PASSPHRASE)


def test_a_store_from_a_newer_personae_is_refused(store, store_dir) -> None:
    store.close()
    conn = sqlite3.connect(db_path(store_dir))
    conn.execute("update meta set value = ? where key = 'schema_version'", (schema.LATEST + 1,))
    conn.commit()
    conn.close()
    before = snapshot(store_dir)
    with pytest.raises(SchemaTooNew, match="upgrade personae"):
        Store.open(store_dir, PASSPHRASE)
    assert snapshot(store_dir) == before


def columns(db: sqlite_utils.Database) -> dict[str, tuple[list[str], list[str]]]:
    """Each table's columns and indexes."""
    return {
        t.name: (sorted(c.name for c in t.columns), sorted(i.name for i in t.indexes))
        for t in db.tables
    }


def downgrade_to_first_schema(store_dir) -> None:
    """Make a store look exactly as the first release wrote it: drop what later
    migrations added, and say schema version 1."""
    db = sqlite_utils.Database(db_path(store_dir))
    db["accounts"].transform(drop={"paused", "pause_reason", "cursor"})
    db["feeds"].transform(drop={"state", "last_error", "checked"})
    db.execute("drop index if exists idx_items_persona_id_read")
    db.execute("drop index if exists idx_items_persona_id_created_id_read")
    db["items"].create_index(["persona_id", "created", "id"])
    db["meta"].upsert({"key": "schema_version", "value": "1"}, pk="key")
    first = sqlite_utils.Database(memory=True)
    schema.migrate(first, upto=1)
    assert columns(db) == columns(first), "the downgrade must match schema 1 exactly"
    db.close()


def test_a_store_of_the_first_schema_is_migrated_in_place(store, store_dir, work) -> None:
    account = store.accounts.add(work, "local", "me", "/srv/target", "s3cret")
    feed = store.feeds.add(work, "https://example.org/feed.xml")
    store.drafts.save(work.id, "written under schema 1", [account.id])
    store.close()
    downgrade_to_first_schema(store_dir)

    migrated = Store.open(store_dir, PASSPHRASE)
    assert schema.version(migrated.db) == schema.LATEST
    assert migrated.accounts.get(account.id).secret == "s3cret"
    assert migrated.accounts.get(account.id).paused is False
    assert migrated.feeds.get(feed.id).state == "active"
    assert migrated.drafts.list(work.id)[0].text == "written under schema 1"
    migrated.close()
