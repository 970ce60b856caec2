"""The store: one SQLite file per user, opened and unlocked with a passphrase."""

from __future__ import annotations

import contextlib
import hmac
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from personae.store import files, schema
from personae.store.crypto import (
    KdfParams,
    PersonaCipher,
    key_check,
    new_key,
    persona_key_ad,
    seal,
    store_key_ad,
    unseal,
)
from personae.store.errors import (
    Locked,
    NotFound,
    StoreBusy,
    StoreDamaged,
    StoreExists,
    StoreUnreadable,
    TamperedValue,
    WrongPassphrase,
)

BUSY_TIMEOUT_MS = 15_000
CHECKPOINT_TIMEOUT_MS = 2_000  # how long a passphrase change waits for readers to let go
Row = dict[str, Any]
T = TypeVar("T")
R = TypeVar("R")


class Store:
    """An open store. Thread-safe: one connection, used under a lock.

    Use ``Store.create`` or ``Store.open``; then the repositories hang off it:
    ``store.personas``, ``store.accounts``, ``store.feeds``, ``store.timeline``,
    ``store.drafts``, ``store.outbox``, ``store.guard``.
    """

    def __init__(self, store_dir: Path, conn: sqlite3.Connection) -> None:
        from personae.store.accounts import Accounts
        from personae.store.drafts import Drafts
        from personae.store.feeds import Feeds
        from personae.store.guard import Guard
        from personae.store.outbox import Outbox
        from personae.store.personas import Personas
        from personae.store.timeline import Timeline

        self.dir = store_dir
        self.conn = conn
        self.busy_timeout_ms = conn.execute("pragma busy_timeout").fetchone()[0]
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.RLock()
        self._store_key: bytes | None = None
        self._ciphers: dict[int, PersonaCipher] = {}
        self.on_problem: Callable[[TamperedValue], None] | None = None
        self.problems: list[TamperedValue] = []
        self.personas = Personas(self)
        self.accounts = Accounts(self)
        self.feeds = Feeds(self)
        self.timeline = Timeline(self)
        self.drafts = Drafts(self)
        self.outbox = Outbox(self)
        self.guard = Guard(self)

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def create(cls, store_dir: Path, passphrase: str, kdf: KdfParams | None = None) -> Store:
        """Create a new, empty store in ``store_dir`` (made 0700) and return it unlocked."""
        store_dir = Path(store_dir)
        files.make_private_dir(store_dir)
        path = files.db_path(store_dir)
        if path.exists():
            raise StoreExists(f"a store already exists at {store_dir}")
        files.create_private_file(path)
        store = cls(store_dir, _connect(path))
        store._store_key = store_key = new_key()
        store.migrate()
        with store.write():
            store._save_store_key(store_key, kdf or KdfParams.fresh(), passphrase)
        files.tighten(store_dir)
        return store

    @classmethod
    def open(
        cls, store_dir: Path, passphrase: str, busy_timeout_ms: int = BUSY_TIMEOUT_MS
    ) -> Store:
        """Open and unlock an existing store, migrating an older schema in place."""
        store_dir = Path(store_dir)
        files.check_private(store_dir)
        store = cls(store_dir, _connect(files.db_path(store_dir), busy_timeout_ms))
        try:
            store.unlock(passphrase)
            store.migrate()
        except BaseException:
            store.close()
            raise
        files.tighten(store_dir)
        return store

    def unlock(self, passphrase: str) -> None:
        """Derive the key-encryption key and unwrap the store key. A wrong passphrase is
        ``WrongPassphrase``; a changed wrapped key or settings are ``StoreDamaged``."""
        with self.read():
            schema.refuse_newer(self.db)
            kdf = KdfParams.from_json(self._meta("kdf"))
            wrapped = self._meta("store_key")
            check = self._meta_or_none("key_check")
        kek = kdf.derive(passphrase)
        if check is not None and not hmac.compare_digest(check, key_check(kek)):
            raise WrongPassphrase("wrong passphrase for this store")
        try:
            store_key = unseal(AESGCM(kek), bytes.fromhex(wrapped), store_key_ad())
        except (InvalidTag, ValueError):
            if check is None:  # a store from before key checks: cannot tell the two apart
                raise WrongPassphrase("wrong passphrase for this store") from None
            raise StoreDamaged(
                "store key damaged: the passphrase is right but the wrapped store key was "
                "changed on disk; restore the store from a backup"
            ) from None
        self._store_key = store_key
        if check is None:  # the first unlock since key checks: store one
            with self.write():
                self._set_meta("key_check", key_check(kek))

    def lock(self) -> None:
        """Drop every key from memory; the store stays open but reads and writes refuse."""
        with self._lock:
            self._store_key = None
            self._ciphers.clear()

    @property
    def unlocked(self) -> bool:
        return self._store_key is not None

    def change_passphrase(self, new_passphrase: str, kdf: KdfParams | None = None) -> None:
        """Rewrap the store key under a new passphrase. No row is re-encrypted.

        The old salt and wrapped key must not survive anywhere in the files: secure_delete
        zeroes the space they leave in the database, and a truncating checkpoint empties the
        WAL that still holds their old pages. (If another process is reading at that moment,
        the WAL keeps them until the last connection closes: SQLite then checkpoints it and
        removes it.)"""
        with self.write():
            key = self._require_store_key()
            self._save_store_key(key, kdf or KdfParams.fresh(), new_passphrase)
        with self._lock:
            self.conn.execute(f"pragma busy_timeout = {CHECKPOINT_TIMEOUT_MS}")
            try:
                self.conn.execute("pragma wal_checkpoint(truncate)").fetchone()
            finally:
                self.conn.execute(f"pragma busy_timeout = {self.busy_timeout_ms}")

    def migrate(self) -> None:
        """Bring an older schema up to date, in one transaction. Tables are rebuilt with
        foreign keys off (SQLite's documented way); their integrity is checked before commit."""
        with self.read():
            if schema.version(self.db) >= schema.LATEST:
                return
        with self._lock:
            self.conn.execute("pragma foreign_keys = off")
            try:
                with self.write():
                    schema.migrate(self.db, keys=self)
            finally:
                self.conn.execute("pragma foreign_keys = on")

    def close(self) -> None:
        with self._lock:
            self.lock()
            self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions --------------------------------------------------------------------

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self._lock, _busy_errors(self.busy_timeout_ms):
            yield self.conn

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction taken with BEGIN IMMEDIATE, so two processes queue for the
        lock (up to the busy timeout) instead of failing with "database is locked"."""
        with self._lock, _busy_errors(self.busy_timeout_ms):
            if self.conn.in_transaction:
                yield self.conn
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def rows(self, query: str, args: Iterable[object] = ()) -> list[Row]:
        """Run a query; each row as a dict of column name to value."""
        with self.read() as conn:
            cursor = conn.execute(query, tuple(args))
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def insert(self, table: str, values: dict[str, object]) -> None:
        """Insert one row; call inside ``write()``."""
        marks = ", ".join("?" * len(values))
        self.conn.execute(
            f"insert into {table} ({', '.join(values)}) values ({marks})", tuple(values.values())
        )

    def decoded(self, rows: Iterable[R], decode: Callable[[R], T]) -> list[T]:
        """Each row decoded; a row that fails authentication is reported and skipped, and
        the rest keep working (the store's one rule for damaged rows)."""
        out = []
        for row in rows:
            try:
                out.append(decode(row))
            except TamperedValue as problem:
                self.report(problem)
        return out

    def next_id(self, table: str) -> int:
        """The id of the next row; call inside ``write()`` so no other process takes it.

        Ids are chosen before the insert because each sealed value names its row."""
        row = self.conn.execute(f"select coalesce(max(id), 0) + 1 from {table}").fetchone()
        return int(row[0])

    # -- keys ----------------------------------------------------------------------------

    def cipher(self, persona_id: int) -> PersonaCipher:
        """The persona's cipher, unwrapping its data key on first use."""
        with self._lock:
            cipher = self._ciphers.get(persona_id)
            if cipher is None:
                cipher = self._ciphers[persona_id] = self._unwrap_persona_key(persona_id)
            return cipher

    def _unwrap_persona_key(self, persona_id: int) -> PersonaCipher:
        store_key = AESGCM(self._require_store_key())
        row = self.conn.execute(
            "select wrapped_key from personas where id = ?", (persona_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"no persona with id {persona_id}")
        try:
            key = unseal(store_key, row[0], persona_key_ad(persona_id))
        except InvalidTag:
            raise TamperedValue("personas", persona_id, "wrapped_key", persona_id) from None
        return PersonaCipher(key, persona_id)

    def new_persona_key(self, persona_id: int) -> bytes:
        """A fresh data key for a new persona, returned wrapped by the store key."""
        store_key = AESGCM(self._require_store_key())
        key = new_key()
        self._ciphers[persona_id] = PersonaCipher(key, persona_id)
        return seal(store_key, key, persona_key_ad(persona_id))

    def forget_persona(self, persona_id: int) -> None:
        self._ciphers.pop(persona_id, None)

    # -- reporting -----------------------------------------------------------------------

    def report(self, problem: TamperedValue) -> None:
        """Record a value that failed authentication; callers skip it and carry on."""
        self.problems.append(problem)
        if self.on_problem is not None:
            self.on_problem(problem)

    # -- internals -----------------------------------------------------------------------

    def _require_store_key(self) -> bytes:
        if self._store_key is None:
            raise Locked("the store is locked; unlock it with your passphrase")
        return self._store_key

    def _meta(self, key: str) -> str:
        value = self._meta_or_none(key)
        if value is None:
            raise StoreUnreadable(f"{self.dir} is not a complete personae store (no {key})")
        return value

    def _meta_or_none(self, key: str) -> str | None:
        row = self.conn.execute("select value from meta where key = ?", (key,)).fetchone()
        if row is not None and not isinstance(row[0], str):
            raise StoreDamaged(f"store settings damaged: {key} is not text")
        return None if row is None else row[0]

    def _set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "insert into meta (key, value) values (?, ?) "
            "on conflict (key) do update set value = excluded.value",
            (key, value),
        )

    def _save_store_key(self, store_key: bytes, kdf: KdfParams, passphrase: str) -> None:
        kek = kdf.derive(passphrase)
        self._set_meta("kdf", kdf.to_json())
        self._set_meta("store_key", seal(AESGCM(kek), store_key, store_key_ad()).hex())
        self._set_meta("key_check", key_check(kek))


def _connect(path: Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(
            path, timeout=busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"pragma busy_timeout = {busy_timeout_ms}")
        conn.execute("pragma journal_mode = wal")
        conn.execute("pragma synchronous = normal")
        conn.execute("pragma foreign_keys = on")
        # Deleted content is overwritten with zeros, so an old wrapped key, a deleted draft or
        # a removed secret does not linger in free pages.
        conn.execute("pragma secure_delete = on")
        # Sorts and temporary tables stay in memory: nothing decrypted or not reaches /tmp.
        conn.execute("pragma temp_store = memory")
        conn.execute("select count(*) from sqlite_master").fetchone()
    except sqlite3.DatabaseError as error:
        raise StoreUnreadable(f"cannot open {path}: {error}") from None
    return conn


@contextlib.contextmanager
def _busy_errors(timeout_ms: int) -> Iterator[None]:
    try:
        yield
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise StoreBusy(
                f"the store stayed busy for {timeout_ms / 1000:g} s: another personae "
                "process is holding it (a suspended one? see 'ps'); try again"
            ) from None
        raise
