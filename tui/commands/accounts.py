"""``personae account add|list|rm|login``: adding goes through
``personae.networks.accounts.add_account``, the one way both faces add an account."""

from __future__ import annotations

import argparse
from typing import Any

from personae.store import Account, Invalid, Store
from personae.tui.commands.opening import persona_scope
from personae.tui.commands.prompts import authorization_code, confirm, secret_for
from personae.tui.output import print_json, print_table, say


def add(store: Store, args: argparse.Namespace) -> int:
    from personae.networks.accounts import add_account, server_for
    from personae.networks.registry import load

    persona = store.personas.find(args.persona)
    network = load(args.network)
    server = server_for(network, args.server or "")
    if args.oauth:
        secret = _oauth_token(network.name, server)
    elif args.handle:
        secret = secret_for(network.capabilities, args.handle)
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
    return exchange_code(server, client_id, client_secret, authorization_code())


def listing(store: Store, args: argparse.Namespace) -> int:
    persona_id, names = persona_scope(store, args.persona)
    accounts = store.accounts.list(persona_id)
    if args.json:
        print_json([_as_json(a, names) for a in accounts])
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


def _as_json(account: Account, names: dict[int, str]) -> dict[str, Any]:
    """An account for scripts: never its secret or session."""
    return {
        "id": account.id,
        "persona": names.get(account.persona_id, "?"),
        "network": account.network,
        "handle": account.handle,
        "server": account.server,
        "paused": account.paused,
        "pause_reason": account.pause_reason,
    }


def remove(store: Store, args: argparse.Namespace) -> int:
    persona = store.personas.find(args.persona)
    account = store.accounts.find(persona, args.handle)
    question = f"Remove the {account.network} account {account.handle} from {persona.name}?"
    confirm("account rm", question, yes=args.yes)
    store.accounts.remove(account)
    say(f"removed {account.handle} from {persona.name}")
    return 0


def login(store: Store, args: argparse.Namespace) -> int:
    """A new secret for an account: verified by logging in, then stored; a paused queue
    resumes."""
    from personae.networks.accounts import verify_login
    from personae.networks.registry import load

    persona = store.personas.find(args.persona)
    account = store.accounts.find(persona, args.handle)
    network = load(account.network)
    secret = secret_for(network.capabilities, account.handle)
    say(f"verifying {account.handle} on {account.server}...")
    verified = verify_login(network, account.server, account.handle, secret)
    store.accounts.set_secret(account, secret)
    store.accounts.set_session(account, verified.session)
    store.accounts.resume(account)
    account = store.accounts.mark_verified(account, verified.handle)
    say(f"{account.handle} verified; publishing resumed")
    return 0
