"""Where the store lives on disk, and keeping it private to its user (as ssh does with keys)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from personae.store.errors import StoreMissing, StorePermissions, StoreUnreadable

DB_NAME = "personae.db"
SIDE_FILES = ("-wal", "-shm", "-journal")


def default_store_dir() -> Path:
    """``PERSONAE_STORE``, else the platform's user data directory."""
    env = os.environ.get("PERSONAE_STORE")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("personae", appauthor=False)


def db_path(store_dir: Path) -> Path:
    return store_dir / DB_NAME


def store_files(store_dir: Path) -> list[Path]:
    """The database file and whichever of its side files exist."""
    main = db_path(store_dir)
    candidates = [main] + [main.with_name(main.name + suffix) for suffix in SIDE_FILES]
    return [path for path in candidates if path.exists()]


def make_private_dir(store_dir: Path) -> None:
    """Create the store directory (and missing parents) as 0700, whatever the umask."""
    store_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(store_dir, 0o700)


def create_private_file(path: Path) -> None:
    """Create an empty file as 0600 before SQLite opens it; its side files copy this mode."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def tighten(store_dir: Path) -> None:
    """Set 0600 on side files SQLite created (they normally copy the db's mode already)."""
    for path in store_files(store_dir):
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, 0o600)


def check_private(store_dir: Path) -> None:
    """Refuse a store that is missing, not ours, or open to group or others."""
    main = db_path(store_dir)
    if not store_dir.exists():
        raise StoreMissing(f"no store at {store_dir}: create one with 'personae init'")
    if not store_dir.is_dir():
        raise StoreUnreadable(f"{store_dir} is not a directory; pass the store's directory")
    if not main.exists():
        raise StoreMissing(f"no store in {store_dir}: create one with 'personae init'")
    checks = [(store_dir, "chmod 700")] + [(path, "chmod 600") for path in store_files(store_dir)]
    for path, fix in checks:
        info = path.stat()
        if info.st_uid != os.getuid():
            raise StorePermissions(
                f"{path} belongs to another user (uid {info.st_uid}); refusing to use it"
            )
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077:
            raise StorePermissions(
                f"{path} is accessible by group or others (mode {mode:04o}); "
                f"fix it with: {fix} {path}"
            )
        if not os.access(path, os.R_OK | os.W_OK):
            raise StoreUnreadable(f"cannot read and write {path}: check its owner and mode")
