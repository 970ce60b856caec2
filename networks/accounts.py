"""Adding an account: the one way both faces (``personae account add`` and the personas
screen) do it — the network's default server, a login that must succeed, then the account
stored with the canonical handle and session the server gave."""

from __future__ import annotations

from personae.networks.base import Network, Source, Verified
from personae.networks.errors import NetworkError
from personae.networks.registry import load
from personae.store import Account, Invalid, Persona, Store


def server_for(network: Network, server: str) -> str:
    """The server given, else the network's default; a clear error when it has none."""
    chosen = server.strip() or network.capabilities.default_server
    if not chosen:
        raise Invalid(f"{network.title} needs a server address (--server URL)")
    return chosen


def verify_login(network: Network, server: str, handle: str, secret: str) -> Verified:
    """Log in once; a refusal or an unreachable server is one line, and nothing is saved."""
    try:
        return network.verify(Source(url=server, handle=handle, secret=secret))
    except NetworkError as error:
        who = handle or "the account"
        raise Invalid(
            f"could not verify {who} on {server}: {error}; nothing saved "
            "(--no-verify saves it anyway)"
        ) from None


def add_account(
    store: Store,
    persona: Persona,
    network_name: str,
    handle: str,
    server: str = "",
    secret: str = "",
    *,
    verify: bool = True,
) -> Account:
    """Add ``persona``'s account on ``network_name``; with ``verify`` (the default) it is
    stored only after the server accepted the login, under the handle the server names."""
    network = load(network_name)
    server = server_for(network, server)
    session = ""
    if verify:
        verified = verify_login(network, server, handle, secret)
        handle, session = verified.handle or handle, verified.session
    if not handle:
        raise Invalid("an account needs a handle")
    return store.accounts.add(
        persona, network.name, handle, server, secret, session, verified=verify
    )
