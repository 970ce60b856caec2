"""The store is private to its user, whatever the umask, and refuses to be otherwise."""

from __future__ import annotations

import os
import stat

import pytest

from personae.store import KdfParams, Store, StorePermissions
from personae.store.files import db_path, store_files
from tests.conftest import PASSPHRASE


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_store_is_0700_with_0600_files_even_under_a_permissive_umask(tmp_path) -> None:
    old = os.umask(0o000)
    try:
        store = Store.create(tmp_path / "store", PASSPHRASE, kdf=KdfParams.cheap())
        store.personas.add("Work")  # writes the WAL and shared-memory files too
        paths = store_files(tmp_path / "store")
        assert {p.name for p in paths} >= {"personae.db", "personae.db-wal", "personae.db-shm"}
        assert mode(tmp_path / "store") == 0o700
        assert {p.name: mode(p) for p in paths} == {p.name: 0o600 for p in paths}
        store.close()
    finally:
        os.umask(old)


@pytest.mark.parametrize("loose", [0o750, 0o705, 0o770])
def test_a_store_directory_others_can_enter_is_refused_with_the_fix(store, store_dir, loose):
    store.close()
    store_dir.chmod(loose)
    with pytest.raises(StorePermissions) as refused:
        Store.open(store_dir, PASSPHRASE)
    assert f"chmod 700 {store_dir}" in str(refused.value)


@pytest.mark.parametrize("loose", [0o640, 0o604, 0o660])
def test_a_store_file_others_can_read_is_refused_with_the_fix(store, store_dir, loose):
    store.close()
    db_path(store_dir).chmod(loose)
    with pytest.raises(StorePermissions) as refused:
        Store.open(store_dir, PASSPHRASE)
    assert f"chmod 600 {db_path(store_dir)}" in str(refused.value)


def test_a_store_owned_by_someone_else_is_refused(store, store_dir) -> None:
    if os.getuid() != 0:
        pytest.skip("only root can give a file away to test this")
    store.close()
    os.chown(db_path(store_dir), 65534, 65534)
    with pytest.raises(StorePermissions, match="belongs to another user"):
        Store.open(store_dir, PASSPHRASE)
