"""Opening a store: the right passphrase unlocks it, anything else changes nothing."""

from __future__ import annotations

import sqlite3

import pytest

from personae.store import (
    KdfParams,
    Locked,
    SchemaTooNew,
    Store,
    StoreDamaged,
    StoreExists,
    StoreMissing,
    StoreUnreadable,
    WrongPassphrase,
    files,
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
    assert {row[0] for row in changed} == {"kdf", "store_key", "key_check"}
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


def set_meta(store_dir, key: str, value: str) -> None:
    conn = sqlite3.connect(db_path(store_dir))
    conn.execute("update meta set value = ? where key = ?", (value, key))
    conn.commit()
    conn.close()


def meta(store_dir, key: str) -> str:
    conn = sqlite3.connect(db_path(store_dir))
    value = conn.execute("select value from meta where key = ?", (key,)).fetchone()[0]
    conn.close()
    return value


# -- a tampered store key is tampering, not a wrong passphrase (issue 9, item 4) -----------


def test_a_changed_wrapped_store_key_is_reported_as_damage_not_a_wrong_passphrase(
    store, store_dir
) -> None:
    store.close()
    wrapped = meta(store_dir, "store_key")
    set_meta(store_dir, "store_key", wrapped[:-2] + ("00" if wrapped[-2:] != "00" else "11"))
    with pytest.raises(StoreDamaged, match="store key damaged"):
        Store.open(store_dir, PASSPHRASE)
    with pytest.raises(WrongPassphrase):  # a wrong passphrase is still told as such
        Store.open(store_dir, "not the passphrase")


def test_a_wrapped_store_key_that_is_not_even_hex_is_damage(store, store_dir) -> None:
    store.close()
    set_meta(store_dir, "store_key", "zz-not-a-key")
    with pytest.raises(StoreDamaged, match="store key damaged"):
        Store.open(store_dir, PASSPHRASE)


# -- old passphrases stay dead (issue 9, item 5) -----------------------------------------


def test_after_a_passphrase_change_the_files_hold_neither_old_salt_nor_old_wrapped_key(
    store, store_dir, work
) -> None:
    store.drafts.save(work.id, "written before the change")
    old_salt = KdfParams.from_json(meta(store_dir, "kdf")).salt.hex()
    old_wrapped = meta(store_dir, "store_key")
    store.change_passphrase("a brand new passphrase", kdf=KdfParams.cheap())
    store.drafts.save(work.id, "written after the change")  # the WAL is in use again
    for path in files.store_files(store_dir):
        data = path.read_bytes()
        assert old_salt.encode() not in data, path.name
        assert old_wrapped.encode() not in data, path.name
        assert old_wrapped[:32].encode() not in data, path.name
    store.close()
    assert old_salt.encode() not in db_path(store_dir).read_bytes()
    assert Store.open(store_dir, "a brand new passphrase").drafts.list(work.id)


# -- untrusted key-derivation settings (issue 9, item 6) ---------------------------------

DAMAGED_SETTINGS = {
    "not json": "{salt: nope",
    "a list": "[1, 2, 3]",
    "missing lanes": '{"salt": "00112233445566778899aabbccddeeff", "memory_kib": 8192,'
    ' "iterations": 1}',
    "salt not hex": '{"salt": "xyz", "memory_kib": 8192, "iterations": 1, "lanes": 1}',
    "salt too short": '{"salt": "00", "memory_kib": 8192, "iterations": 1, "lanes": 1}',
    "absurd memory": '{"salt": "00112233445566778899aabbccddeeff", "memory_kib": 1e15,'
    ' "iterations": 1, "lanes": 1}',
    "huge memory": '{"salt": "00112233445566778899aabbccddeeff", "memory_kib": 137438953472,'
    ' "iterations": 1, "lanes": 1}',
    "endless passes": '{"salt": "00112233445566778899aabbccddeeff", "memory_kib": 65536,'
    ' "iterations": 100000000, "lanes": 4}',
    "too much work": '{"salt": "00112233445566778899aabbccddeeff", "memory_kib": 1048576,'
    ' "iterations": 64, "lanes": 4}',
    "no lanes": '{"salt": "00112233445566778899aabbccddeeff", "memory_kib": 8192,'
    ' "iterations": 1, "lanes": 0}',
    "text for a number": '{"salt": "00112233445566778899aabbccddeeff", "memory_kib": "8192",'
    ' "iterations": 1, "lanes": 1}',
    "deep nesting": "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize("settings", DAMAGED_SETTINGS.values(), ids=DAMAGED_SETTINGS.keys())
def test_damaged_key_derivation_settings_are_one_clear_line(store, store_dir, settings) -> None:
    store.close()
    set_meta(store_dir, "kdf", settings)
    with pytest.raises(StoreDamaged) as refused:
        Store.open(store_dir, PASSPHRASE)
    message = str(refused.value)
    assert message.startswith("store settings damaged: ") and "\n" not in message


def test_the_default_settings_are_within_the_bounds_and_the_cheap_ones_too() -> None:
    for params in (KdfParams.fresh(), KdfParams.cheap()):
        assert KdfParams.from_json(params.to_json()) == params
