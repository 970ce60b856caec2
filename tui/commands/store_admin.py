"""``personae init|passwd|export``: creating the store, changing its passphrase, and
taking a persona's data out of it."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from personae.store import PostState, Store
from personae.tui import passphrase
from personae.tui.commands.opening import store_dir
from personae.tui.output import print_json, say


def init(args: argparse.Namespace) -> int:
    path = store_dir(args)
    secret = passphrase.new(args.passphrase_file)
    Store.create(path, secret).close()
    say(f"created an encrypted store in {path}")
    say("next: personae persona add NAME")
    return 0


def passwd(store: Store, args: argparse.Namespace) -> int:
    store.change_passphrase(passphrase.new(env=passphrase.NEW_ENV))
    say("passphrase changed")
    return 0


def export(store: Store, args: argparse.Namespace) -> int:
    """Everything of one persona, decrypted, as JSON; secrets only when asked for."""
    persona = store.personas.find(args.persona)
    accounts = []
    for account in store.accounts.list(persona.id):
        data = asdict(account)
        if not args.include_secrets:
            data.pop("secret")
            data.pop("session")
        accounts.append(data)
    print_json(
        {
            "persona": asdict(persona),
            "accounts": accounts,
            "feeds": [asdict(f) for f in store.feeds.list(persona.id)],
            "guard": [asdict(t) for t in store.guard.list(persona.id)],
            "drafts": [asdict(d) for d in store.drafts.list(persona.id, tuple(PostState))],
            "outbox": [asdict(e) for e in store.outbox.list(persona.id)],
            "timeline": [asdict(i) for i in store.timeline.iterate(persona.id)],
        }
    )
    return 0
