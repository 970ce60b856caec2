"""Opening the store for the app, in a worker thread: key derivation (Argon2id) and the first
reads of the store never run on the event loop.

When the passphrase came with the command (PERSONAE_PASSPHRASE or a file), the opening
starts before the app does, so key derivation overlaps the terminal's and the first
screen's start; the unlock screen then only collects the result."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from personae.store import Persona, Store, StoreError, files

if TYPE_CHECKING:
    from personae.tui.widgets.timeline import Index

Indexes = dict[int, "Index"]  # persona -> timeline ids and read marks (nothing decrypted)


def first_persona(personas: list[Persona], remembered_id: int | None) -> Persona | None:
    """The persona to show on unlocking: the one shown before locking, else the first."""
    remembered = next((p for p in personas if p.id == remembered_id), None)
    return remembered or next(iter(personas), None)


def read_ahead(store: Store, remembered_id: int | None) -> Indexes:
    """The timeline index of the persona about to be shown, read in the unlocking thread so
    the first frame needs no query."""
    from personae.tui.widgets.timeline import ids_and_marks

    try:
        persona = first_persona(store.personas.list(), remembered_id)
        return {persona.id: ids_and_marks(store, persona.id)} if persona else {}
    except StoreError:
        return {}  # the app reads it again, and says what is wrong


class Opener:
    """Opens the store in ``store_dir``, possibly ahead of being asked."""

    def __init__(self, store_dir: Path | None) -> None:
        self.store_dir = store_dir
        self._ahead: tuple[str, Future[tuple[Store, Indexes]]] | None = None

    def start(self, secret: str) -> None:
        """Start opening with ``secret`` now, in a thread of its own."""
        store_dir = self.store_dir
        if store_dir is None or not files.db_path(store_dir).exists():
            return
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="personae-unlock")
        self._ahead = (secret, pool.submit(self._open, store_dir, secret))
        pool.shutdown(wait=False)

    def open(self, secret: str) -> tuple[Store, Indexes]:
        """The store unlocked with ``secret`` and its first index: the opening started ahead
        if it was for this passphrase, else done now, in the calling thread. Raises the
        StoreError that refused it."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] == secret:
            return ahead[1].result()
        assert self.store_dir is not None
        return self._open(self.store_dir, secret)

    @staticmethod
    def _open(store_dir: Path, secret: str) -> tuple[Store, Indexes]:
        store = Store.open(store_dir, secret)
        return store, read_ahead(store, None)


def create(store_dir: Path, secret: str, first_name: str) -> Store:
    """The first run: a new store with its first persona (or the store another process
    created meanwhile, opened with ``secret``)."""
    if files.db_path(store_dir).exists():
        store = Store.open(store_dir, secret)
    else:
        store = Store.create(store_dir, secret)
    if not store.personas.list():
        store.personas.add(first_name)
    return store
