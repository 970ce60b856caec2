"""``personae timeline``: a persona's timeline, newest first."""

from __future__ import annotations

import argparse
from dataclasses import asdict

from personae.store import Store
from personae.store.text import clean, one_line
from personae.tui.output import print_json, when


def timeline(store: Store, args: argparse.Namespace) -> int:
    persona = store.personas.find(args.persona)
    items = store.timeline.newest(persona.id, args.limit)
    if args.json:
        print_json([asdict(i) for i in items])
        return 0
    for item in items:
        mark = " " if item.read else "*"
        head = " — ".join(x for x in (item.author, item.title) if x)
        print(f"{mark} {when(item.created)}  {one_line(head, 100)}")
        body = clean(item.text).strip()
        if body:
            print("    " + one_line(body, 200))
        if item.url:
            print("    " + one_line(item.url))
    return 0
