"""``personae feed add|list|rm|enable``."""

from __future__ import annotations

import argparse

from personae.store import Store
from personae.tui.commands.opening import persona_scope
from personae.tui.commands.prompts import confirm
from personae.tui.output import print_json, print_table, say


def add(store: Store, args: argparse.Namespace) -> int:
    from personae.networks.subscriptions import add_feed

    persona = store.personas.find(args.persona)
    if not args.no_verify:
        say("checking that the address serves a feed...")
    feed = add_feed(store, persona, args.url, verify=not args.no_verify)
    say(f"added feed {feed.url} to {persona.name}")
    return 0


def listing(store: Store, args: argparse.Namespace) -> int:
    persona_id, names = persona_scope(store, args.persona)
    feeds = store.feeds.list(persona_id)
    if args.json:
        print_json(
            [
                {
                    "id": f.id,
                    "persona": names.get(f.persona_id, "?"),
                    "url": f.url,
                    "state": f.state,
                    "last_error": f.last_error,
                    "checked": f.checked,
                }
                for f in feeds
            ]
        )
        return 0
    rows = [(names.get(f.persona_id, "?"), f.url, f.state, f.last_error) for f in feeds]
    print_table(rows, ("PERSONA", "URL", "STATE", "LAST ERROR"))
    return 0


def remove(store: Store, args: argparse.Namespace) -> int:
    persona = store.personas.find(args.persona)
    feed = store.feeds.find(persona, args.url)
    question = f"Remove the feed {feed.url} and its items from {persona.name}?"
    confirm("feed rm", question, yes=args.yes)
    store.feeds.remove(feed)
    say(f"removed feed {feed.url}")
    return 0


def enable(store: Store, args: argparse.Namespace) -> int:
    """Read a feed again that was disabled (it answered 410 Gone) from the next sync on."""
    persona = store.personas.find(args.persona)
    feed = store.feeds.enable(store.feeds.find(persona, args.url))
    say(f"{persona.name} reads {feed.url} again from the next sync")
    return 0
