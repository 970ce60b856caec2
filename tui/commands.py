"""What each ``personae`` subcommand does. The same services the app uses: the store,
the posting checks and the sync engine."""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path

from personae.store import (
    Account,
    Invalid,
    PostState,
    Store,
    TamperedValue,
    default_store_dir,
)
from personae.store.text import clean, one_line
from personae.tui import passphrase
from personae.tui.output import print_json, print_table, say


def dispatch(args: argparse.Namespace) -> int:
    if args.command is None:
        return start_app(args)
    if args.command == "init":
        return init(args)
    if args.command == "locate":
        return locate(args)
    if args.command == "networks":
        return list_networks(args)
    if args.command == "doctor":
        return run_doctor(args)
    handler = HANDLERS[(args.command, getattr(args, "action", None))]
    with open_store(args) as store:
        return handler(store, args)


def store_dir(args: argparse.Namespace) -> Path:
    return (args.store or default_store_dir()).expanduser()


@contextlib.contextmanager
def open_store(args: argparse.Namespace) -> Iterator[Store]:
    """Open and unlock the store for one command; skipped tampered values are reported."""
    from personae.store import files

    path = store_dir(args)
    files.check_private(path)  # refuse a missing or exposed store before asking
    store = Store.open(path, passphrase.existing(args.passphrase_file))
    store.on_problem = lambda problem: _warn(store, problem)
    try:
        yield store
    finally:
        store.close()


def _scope(store: Store, args: argparse.Namespace) -> tuple[int | None, dict[int, str]]:
    """The persona an optional PERSONA argument names (None: all), and every persona's name."""
    persona_id = store.personas.find(args.persona).id if args.persona else None
    return persona_id, {p.id: p.name for p in store.personas.list()}


def _warn(store: Store, problem: TamperedValue) -> None:
    persona = f"persona {problem.persona_id}"
    if problem.table != "personas":  # a persona's own name may be what failed
        with contextlib.suppress(Exception):
            persona = f"persona {store.personas.get(problem.persona_id).name!r}"
    say(f"personae: warning: {one_line(problem.describe(persona))}")


# -- the app, init, locate, networks ---------------------------------------------------------


def start_app(args: argparse.Namespace) -> int:
    from personae.tui.app import run_app

    if args.demo:
        return run_app(None, demo=True)
    return run_app(store_dir(args), passphrase=passphrase.given(args.passphrase_file))


def init(args: argparse.Namespace) -> int:
    path = store_dir(args)
    secret = passphrase.new(args.passphrase_file)
    Store.create(path, secret).close()
    say(f"created an encrypted store in {path}")
    say("next: personae persona add NAME")
    return 0


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
    rows = []
    for name, plugin in sorted(plugins().items()):
        if name not in adapters:
            continue
        caps = adapters[name].capabilities
        limit = f"{caps.max_length} {caps.length_unit}" if caps.max_length else "-"
        rows.append(
            {
                "name": name,
                "title": adapters[name].title,
                "package": plugin.distribution,
                "version": plugin.version,
                "read_only": caps.read_only,
                "max_length": caps.max_length,
                "length_unit": caps.length_unit,
                "limit": limit,
            }
        )
    if args.json:
        print_json(rows)
    else:
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


# -- personas -----------------------------------------------------------------------------


def persona_add(store: Store, args: argparse.Namespace) -> int:
    persona = store.personas.add(args.name, args.colour, args.glyph, args.send_delay)
    key = f"key {persona.position}" if persona.position else "no switch key"
    say(f"added persona {persona.name} ({key})")
    return 0


def persona_list(store: Store, args: argparse.Namespace) -> int:
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
    counts: dict[int, dict[str, int]] = {}
    for kind, table in (("accounts", "accounts"), ("feeds", "feeds")):
        for row in store.rows(f"select persona_id, count(*) n from {table} group by 1"):
            counts.setdefault(row["persona_id"], {})[kind] = row["n"]
    return counts


def persona_rename(store: Store, args: argparse.Namespace) -> int:
    persona = store.personas.rename(store.personas.find(args.old), args.new)
    say(f"renamed to {persona.name}")
    return 0


def persona_set(store: Store, args: argparse.Namespace) -> int:
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


def persona_rm(store: Store, args: argparse.Namespace) -> int:
    persona = store.personas.find(args.name)
    if not args.yes and sys.stdin.isatty():
        answer = input(f"Type {persona.name!r} to delete it and everything it holds: ")
        if answer.strip() != persona.name:
            say("not deleted")
            return 1
    store.personas.remove(persona)
    say(f"deleted persona {persona.name}")
    return 0


# -- accounts ------------------------------------------------------------------------------


def account_add(store: Store, args: argparse.Namespace) -> int:
    from personae.networks.accounts import add_account, server_for
    from personae.networks.registry import load

    persona = store.personas.find(args.persona)
    network = load(args.network)
    server = server_for(network, args.server or "")
    if args.oauth:
        secret = _oauth_token(network.name, server)
    elif args.handle:
        secret = _read_secret(network.capabilities, args.handle)
    else:
        raise Invalid("an account needs --handle (or, on Mastodon, --oauth)")
    verify = args.oauth or not args.no_verify
    if verify:
        say(f"verifying {args.handle or 'the account'} on {server}...")
    account = add_account(
        store, persona, network.name, args.handle or "", server, secret, verify=verify
    )
    say(f"added {network.title} account {account.handle} to {persona.name}")
    return 0


def _oauth_token(network: str, server: str) -> str:
    """Mastodon's OAuth app flow: register, send the user to the browser, take the code."""
    if network != "mastodon":
        raise Invalid("--oauth is for Mastodon accounts")
    from personae.networks.mastodon import authorize_url, exchange_code, register_app

    client_id, client_secret = register_app(server)
    say("open this address, allow personae, and paste the code it shows:")
    say(authorize_url(server, client_id))
    code = passphrase.ask("Code: ") if sys.stdin.isatty() else sys.stdin.readline().strip()
    if not code:
        raise Invalid("no authorization code given; nothing saved")
    return exchange_code(server, client_id, client_secret, code)


def _read_secret(capabilities, handle: str) -> str:
    if not capabilities.needs_secret:
        return ""
    if sys.stdin.isatty():
        return passphrase.ask(f"{capabilities.secret_label.capitalize()} for {handle}: ")
    secret = sys.stdin.readline().rstrip("\n")
    if not secret:
        raise Invalid(f"no {capabilities.secret_label} on stdin")
    return secret


def account_list(store: Store, args: argparse.Namespace) -> int:
    persona_id, names = _scope(store, args)
    accounts = store.accounts.list(persona_id)
    if args.json:
        print_json([_account_json(a, names) for a in accounts])
        return 0
    rows = [
        (
            names.get(a.persona_id, "?"),
            a.network,
            a.handle,
            a.server,
            f"paused: {a.pause_reason}" if a.paused else "ok",
        )
        for a in accounts
    ]
    print_table(rows, ("PERSONA", "NETWORK", "HANDLE", "SERVER", "STATE"))
    return 0


def _account_json(account: Account, names: dict[int, str]) -> dict:
    return {
        "id": account.id,
        "persona": names.get(account.persona_id, "?"),
        "network": account.network,
        "handle": account.handle,
        "server": account.server,
        "paused": account.paused,
        "pause_reason": account.pause_reason,
    }


def account_rm(store: Store, args: argparse.Namespace) -> int:
    persona = store.personas.find(args.persona)
    account = store.accounts.find(persona, args.handle)
    store.accounts.remove(account)
    say(f"removed {account.handle} from {persona.name}")
    return 0


def account_login(store: Store, args: argparse.Namespace) -> int:
    from personae.networks.accounts import verify_login
    from personae.networks.registry import load

    persona = store.personas.find(args.persona)
    account = store.accounts.find(persona, args.handle)
    network = load(account.network)
    secret = _read_secret(network.capabilities, account.handle)
    say(f"verifying {account.handle} on {account.server}...")
    verified = verify_login(network, account.server, account.handle, secret)
    store.accounts.set_secret(account, secret)
    store.accounts.set_session(account, verified.session)
    store.accounts.resume(account)
    say(f"{account.handle} verified; publishing resumed")
    return 0


# -- feeds --------------------------------------------------------------------------------


def feed_add(store: Store, args: argparse.Namespace) -> int:
    feed = store.feeds.add(store.personas.find(args.persona), args.url)
    say(f"added feed {feed.url}")
    return 0


def feed_list(store: Store, args: argparse.Namespace) -> int:
    persona_id, names = _scope(store, args)
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


def feed_rm(store: Store, args: argparse.Namespace) -> int:
    persona = store.personas.find(args.persona)
    store.feeds.remove(store.feeds.find(persona, args.url))
    say(f"removed feed {args.url}")
    return 0


# -- drafts, posts, outbox -------------------------------------------------------------------


def _text(value: str) -> str:
    text = sys.stdin.read() if value == "-" else value
    if not text.strip():
        raise Invalid("the text is empty")
    return text


def draft(store: Store, args: argparse.Namespace) -> int:
    persona = store.personas.find(args.persona)
    saved = store.drafts.save(persona.id, _text(args.text))
    print(saved.id)
    return 0


def drafts(store: Store, args: argparse.Namespace) -> int:
    persona = store.personas.find(args.persona)
    found = store.drafts.list(persona.id)
    if args.json:
        print_json([asdict(d) for d in found])
        return 0
    rows = [(d.id, _when(d.updated), one_line(d.text, 60)) for d in found]
    print_table(rows, ("ID", "EDITED", "TEXT"))
    return 0


def post(store: Store, args: argparse.Namespace) -> int:
    from personae.networks.posting import GuardRefused, publishable, queue

    persona = store.personas.find(args.persona)
    targets = [store.accounts.find(persona, h) for h in args.to] or publishable(store, persona)
    if not targets:
        raise Invalid(f"{persona.name} has no account to publish to; add one first")
    saved = store.drafts.save(persona.id, _text(args.text), [a.id for a in targets])
    try:
        ids = queue(store, saved, targets, override=args.override)
    except GuardRefused as refused:
        for line in refused.review.problems():
            say(f"personae: {line}")
        hint = (
            ""
            if refused.review.too_long or refused.review.unusable
            else ("; --override queues it anyway")
        )
        raise Invalid(f"not queued; kept as draft {saved.id}{hint}") from None
    handles = ", ".join(a.handle for a in targets)
    when = f"in {persona.send_delay} s" if persona.send_delay else "at the next sync"
    say(f"queued post {saved.id} as {persona.name} to {handles}; it goes out {when}")
    if persona.send_delay:
        say(f"cancel with: personae outbox cancel {ids[0]}")
    return 0


def outbox(store: Store, args: argparse.Namespace) -> int:
    entries = store.outbox.list()
    names = {p.id: p.name for p in store.personas.list()}
    handles = {a.id: a.handle for a in store.accounts.list()}
    if args.json:
        print_json(
            [
                {
                    **asdict(e),
                    "persona": names.get(e.persona_id, "?"),
                    "account": handles.get(e.account_id, "?"),
                }
                for e in entries
            ]
        )
        return 0
    rows = [
        (
            e.id,
            names.get(e.persona_id, "?"),
            handles.get(e.account_id, "?"),
            e.state,
            _next(e),
            one_line(e.text, 40),
            one_line(e.last_error, 50),
        )
        for e in entries
    ]
    print_table(rows, ("ID", "PERSONA", "ACCOUNT", "STATE", "NEXT", "TEXT", "LAST ERROR"))
    return 0


def _next(entry) -> str:
    if entry.state not in (PostState.QUEUED, PostState.SENDING):
        return "-"
    wait = entry.next_attempt - time.time()
    return "due" if wait <= 0 else f"in {wait:.0f} s"


def outbox_cancel(store: Store, args: argparse.Namespace) -> int:
    back = store.outbox.cancel(store.outbox.get(args.id))
    say(f"cancelled: post {back.id} is a draft again")
    return 0


def outbox_retry(store: Store, args: argparse.Namespace) -> int:
    store.outbox.retry(store.outbox.get(args.id))
    say(f"outbox entry {args.id} queued again")
    return 0


def sync(store: Store, args: argparse.Namespace) -> int:
    from personae.networks.sync import SyncEngine

    persona_id, _ = _scope(store, args)
    progress = say if sys.stderr.isatty() else None
    report = SyncEngine(store).run(persona_id, retry_now=True, progress=progress)
    for line in report.lines():
        print(one_line(line))
    if report.offline:
        say("personae: offline: nothing could be reached; queued posts wait for the network")
    elif report.waiting:
        say(
            f"personae: {len(report.waiting)} post(s) wait for a server that cannot be reached; "
            "they go out at the next sync that reaches it"
        )
    return 1 if (report.failed or report.paused) else 0


# -- reading, exporting, guard, passwd ------------------------------------------------------


def timeline(store: Store, args: argparse.Namespace) -> int:
    persona = store.personas.find(args.persona)
    items = store.timeline.newest(persona.id, max(args.limit, 0))
    if args.json:
        print_json([asdict(i) for i in items])
        return 0
    for item in items:
        mark = " " if item.read else "*"
        head = " — ".join(x for x in (item.author, item.title) if x)
        print(f"{mark} {_when(item.created)}  {one_line(head, 100)}")
        body = clean(item.text).strip()
        if body:
            print("    " + one_line(body, 200))
        if item.url:
            print("    " + one_line(item.url))
    return 0


def export(store: Store, args: argparse.Namespace) -> int:
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


def guard_add(store: Store, args: argparse.Namespace) -> int:
    persona = store.personas.find(args.persona)
    term = store.guard.add(persona, args.kind, args.term)
    say(f"{persona.name}: {term.kind} term {term.term!r}")
    return 0


def guard_list(store: Store, args: argparse.Namespace) -> int:
    persona_id, names = _scope(store, args)
    terms = store.guard.list(persona_id)
    if args.json:
        print_json([{**asdict(t), "persona": names.get(t.persona_id, "?")} for t in terms])
        return 0
    print_table(
        [(names.get(t.persona_id, "?"), t.kind, t.term) for t in terms], ("PERSONA", "KIND", "TERM")
    )
    return 0


def guard_rm(store: Store, args: argparse.Namespace) -> int:
    persona = store.personas.find(args.persona)
    store.guard.remove(persona, args.term)
    say(f"{persona.name}: removed {args.term!r}")
    return 0


def passwd(store: Store, args: argparse.Namespace) -> int:
    store.change_passphrase(passphrase.new(env=passphrase.NEW_ENV))
    say("passphrase changed")
    return 0


def _when(timestamp: float | None) -> str:
    if not timestamp:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp))


Handler = Callable[[Store, argparse.Namespace], int]
HANDLERS: dict[tuple[str, str | None], Handler] = {
    ("persona", "add"): persona_add,
    ("persona", "list"): persona_list,
    ("persona", "rename"): persona_rename,
    ("persona", "set"): persona_set,
    ("persona", "rm"): persona_rm,
    ("account", "add"): account_add,
    ("account", "list"): account_list,
    ("account", "rm"): account_rm,
    ("account", "login"): account_login,
    ("feed", "add"): feed_add,
    ("feed", "list"): feed_list,
    ("feed", "rm"): feed_rm,
    ("draft", None): draft,
    ("drafts", None): drafts,
    ("post", None): post,
    ("outbox", None): outbox,
    ("outbox", "cancel"): outbox_cancel,
    ("outbox", "retry"): outbox_retry,
    ("sync", None): sync,
    ("timeline", None): timeline,
    ("export", None): export,
    ("guard", "add"): guard_add,
    ("guard", "list"): guard_list,
    ("guard", "rm"): guard_rm,
    ("passwd", None): passwd,
}
