"""``personae`` (the app), ``locate``, ``networks`` and ``doctor``: the commands about this
installation and this terminal rather than the store's data."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from personae.tui import passphrase
from personae.tui.commands.opening import store_dir
from personae.tui.output import print_json, print_table, say

NEEDS_A_TERMINAL = "personae needs a terminal; for scripts use the subcommands (personae --help)"


def start_app(args: argparse.Namespace) -> int:
    """The app, on a terminal only: without one it would draw into a pipe, forever."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(NEEDS_A_TERMINAL, file=sys.stderr)
        return 2
    from personae.tui.app import run_app

    if args.demo:
        return run_app(None, demo=True)
    return run_app(store_dir(args), passphrase=passphrase.given(args.passphrase_file))


def locate(args: argparse.Namespace) -> int:
    from platformdirs import user_cache_path, user_config_path

    from personae.store import files

    path = store_dir(args)
    places = {
        "store": str(path),
        "database": str(files.db_path(path)),
        "config": str(user_config_path("personae", appauthor=False) / "config.toml"),
        "cache": str(user_cache_path("personae", appauthor=False)),
        "exists": files.db_path(path).exists(),
    }
    if args.json:
        print_json(places)
    else:
        print_table([(key, value) for key, value in places.items()])
    return 0


def list_networks(args: argparse.Namespace) -> int:
    from personae.networks.registry import loadable, plugins

    adapters, errors = loadable()
    for name, message in errors.items():
        say(f"personae: skipped network {name}: {message}")
    rows: list[dict[str, Any]] = []
    for name, plugin in sorted(plugins().items()):
        if name not in adapters:
            continue
        caps = adapters[name].capabilities
        rows.append(
            {
                "name": name,
                "title": adapters[name].title,
                "package": plugin.distribution,
                "version": plugin.version,
                "read_only": caps.read_only,
                "max_length": caps.max_length,
                "length_unit": caps.length_unit,
                "limit": f"{caps.max_length} {caps.length_unit}" if caps.max_length else "-",
            }
        )
    if args.json:
        print_json(rows)
        return 0
    table = [
        (
            r["name"],
            r["title"],
            f"{r['package']} {r['version']}",
            "read-only" if r["read_only"] else r["limit"],
        )
        for r in rows
    ]
    print_table(table, ("NETWORK", "TITLE", "PACKAGE", "POSTS"))
    return 0


def run_doctor(args: argparse.Namespace) -> int:
    from personae.tui import doctor

    return doctor.run(
        store_dir(args), json=args.json, passphrase_file=args.passphrase_file, timeout=args.timeout
    )
