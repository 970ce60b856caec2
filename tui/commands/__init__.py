"""What each ``personae`` subcommand does: the same services the app uses (the store, the
posting checks, the sync engine), one module per subject. ``dispatch`` finds the handler
for the parsed command line in the two tables below."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from personae.store import Store
from personae.tui.commands import (
    accounts,
    feeds,
    guard,
    personas,
    posting,
    reading,
    store_admin,
    system,
)
from personae.tui.commands.opening import open_store

Handler = Callable[[Store, argparse.Namespace], int]
Storeless = Callable[[argparse.Namespace], int]

# Commands that do not open the store, or that create it.
WITHOUT_STORE: dict[str | None, Storeless] = {
    None: system.start_app,  # `personae` alone
    "init": store_admin.init,
    "locate": system.locate,
    "networks": system.list_networks,
    "doctor": system.run_doctor,
}

# (command, action) → handler, each given the unlocked store.
HANDLERS: dict[tuple[str, str | None], Handler] = {
    ("persona", "add"): personas.add,
    ("persona", "list"): personas.listing,
    ("persona", "rename"): personas.rename,
    ("persona", "set"): personas.change,
    ("persona", "rm"): personas.remove,
    ("account", "add"): accounts.add,
    ("account", "list"): accounts.listing,
    ("account", "rm"): accounts.remove,
    ("account", "login"): accounts.login,
    ("feed", "add"): feeds.add,
    ("feed", "list"): feeds.listing,
    ("feed", "rm"): feeds.remove,
    ("feed", "enable"): feeds.enable,
    ("draft", None): posting.draft,
    ("drafts", None): posting.drafts,
    ("post", None): posting.post,
    ("outbox", None): posting.outbox,
    ("outbox", "cancel"): posting.outbox_cancel,
    ("outbox", "retry"): posting.outbox_retry,
    ("sync", None): posting.sync,
    ("timeline", None): reading.timeline,
    ("export", None): store_admin.export,
    ("guard", "add"): guard.add,
    ("guard", "list"): guard.listing,
    ("guard", "rm"): guard.remove,
    ("guard", "repair"): guard.repair,
    ("passwd", None): store_admin.passwd,
}


def dispatch(args: argparse.Namespace) -> int:
    """Run the command ``args`` names; its exit status."""
    if args.command in WITHOUT_STORE:
        return WITHOUT_STORE[args.command](args)
    handler = HANDLERS[(args.command, getattr(args, "action", None))]
    with open_store(args) as store:
        return handler(store, args)
