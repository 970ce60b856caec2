"""``personae guard add|list|rm|repair``: the terms a persona owns or must never post."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from personae.store import Store
from personae.store.errors import KINDS
from personae.tui.commands.opening import persona_scope
from personae.tui.commands.prompts import confirm
from personae.tui.output import print_json, print_table, say


def add(store: Store, args: argparse.Namespace) -> int:
    persona = store.personas.find(args.persona)
    term = store.guard.add(persona, args.kind, args.term)
    say(f"{persona.name}: {term.kind} term {term.term!r}")
    return 0


def listing(store: Store, args: argparse.Namespace) -> int:
    persona_id, names = persona_scope(store, args.persona)
    terms = store.guard.list(persona_id)
    if args.json:
        print_json([{**asdict(t), "persona": names.get(t.persona_id, "?")} for t in terms])
        return 0
    rows = [(names.get(t.persona_id, "?"), t.kind, t.term) for t in terms]
    print_table(rows, ("PERSONA", "KIND", "TERM"))
    return 0


def remove(store: Store, args: argparse.Namespace) -> int:
    persona = store.personas.find(args.persona)
    question = f"Remove {args.term!r} from {persona.name}'s guard terms?"
    confirm("guard rm", question, yes=args.yes)
    store.guard.remove(persona, args.term)
    say(f"{persona.name}: removed {args.term!r}")
    return 0


def repair(store: Store, args: argparse.Namespace) -> int:
    """A damaged guard refuses every post; this removes what fails authentication and
    names each removal, so the user knows what to add back."""
    question = "Remove every guard term and account that fails authentication?"
    confirm("guard repair", question, yes=args.yes)
    names = {p.id: p.name for p in store.personas.list()}
    removed = store.guard.remove_damaged()
    for problem in removed:
        what = KINDS.get(problem.table, problem.table)
        whose = names.get(problem.persona_id, f"persona {problem.persona_id}")
        say(f"removed damaged {what} {problem.row} of {whose}")
    say(f"the guard reads itself again ({len(removed)} removed); add back what you need")
    return 0
