"""Opening the store for one command, and naming the personas a command is about."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from pathlib import Path

from personae.store import Store, TamperedValue, default_store_dir, files
from personae.tui import passphrase
from personae.tui.output import say


def store_dir(args: argparse.Namespace) -> Path:
    """``--store DIR``, else ``PERSONAE_STORE``, else the platform's data directory."""
    chosen: Path = args.store or default_store_dir()
    return chosen.expanduser()


@contextlib.contextmanager
def open_store(args: argparse.Namespace) -> Iterator[Store]:
    """The store, unlocked for one command; values that fail to decrypt are reported on
    stderr as they are met, and the command goes on with the rest."""
    path = store_dir(args)
    files.check_private(path)  # refuse a missing or exposed store before asking
    store = Store.open(path, passphrase.existing(args.passphrase_file))
    store.on_problem = lambda problem: _report(store, problem)
    try:
        yield store
    finally:
        store.close()


def persona_scope(store: Store, name: str | None) -> tuple[int | None, dict[int, str]]:
    """The id of the persona ``name`` (None: every persona), and every persona's name."""
    persona_id = store.personas.find(name).id if name else None
    return persona_id, {p.id: p.name for p in store.personas.list()}


def _report(store: Store, problem: TamperedValue) -> None:
    persona = f"persona {problem.persona_id}"
    if problem.table != "personas":  # a persona's own name may be what failed
        with contextlib.suppress(Exception):
            persona = f"persona {store.personas.get(problem.persona_id).name!r}"
    say(f"personae: warning: {problem.describe(persona)}")
