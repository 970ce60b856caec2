"""``personae persona add|list|rename|set|rm``."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from personae.store import Store
from personae.tui.commands.prompts import confirm
from personae.tui.output import print_json, print_table, say


def add(store: Store, args: argparse.Namespace) -> int:
    persona = store.personas.add(args.name, args.colour, args.glyph, args.send_delay)
    key = f"key {persona.position}" if persona.position else "no switch key"
    say(f"added persona {persona.name} ({key})")
    return 0


def listing(store: Store, args: argparse.Namespace) -> int:
    personas = store.personas.list()
    counts = _counts(store)
    if args.json:
        print_json([{**asdict(p), **counts.get(p.id, {})} for p in personas])
        return 0
    rows = [
        (
            p.position or "-",
            p.glyph,
            p.name,
            p.colour,
            f"{p.send_delay}s",
            counts.get(p.id, {}).get("accounts", 0),
            counts.get(p.id, {}).get("feeds", 0),
        )
        for p in personas
    ]
    print_table(rows, ("KEY", "", "NAME", "COLOUR", "DELAY", "ACCOUNTS", "FEEDS"))
    return 0


def _counts(store: Store) -> dict[int, dict[str, int]]:
    """How many accounts and feeds each persona has (no decryption needed)."""
    counts: dict[int, dict[str, int]] = {}
    for table in ("accounts", "feeds"):
        for row in store.rows(f"select persona_id, count(*) n from {table} group by 1"):
            counts.setdefault(row["persona_id"], {})[table] = row["n"]
    return counts


def rename(store: Store, args: argparse.Namespace) -> int:
    persona = store.personas.rename(store.personas.find(args.old), args.new)
    say(f"renamed to {persona.name}")
    return 0


def change(store: Store, args: argparse.Namespace) -> int:
    persona = store.personas.find(args.name)
    if args.colour is not None:
        persona = store.personas.set_colour(persona, args.colour)
    if args.glyph is not None:
        persona = store.personas.set_glyph(persona, args.glyph)
    if args.send_delay is not None:
        persona = store.personas.set_send_delay(persona, args.send_delay)
    if args.position is not None:
        persona = store.personas.move(persona, args.position)
    say(
        f"{persona.name}: colour {persona.colour}, glyph {persona.glyph}, "
        f"send delay {persona.send_delay} s, key {persona.position or '-'}"
    )
    return 0


def remove(store: Store, args: argparse.Namespace) -> int:
    persona = store.personas.find(args.name)
    confirm(
        "persona rm",
        f"Delete persona {persona.name!r} with its accounts, feeds, drafts and outbox?",
        yes=args.yes,
        type_to_confirm=persona.name,
    )
    store.personas.remove(persona)
    say(f"deleted persona {persona.name}")
    return 0
