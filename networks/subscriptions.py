"""Adding a feed: the one way both faces (``personae feed add`` and the personas screen) do
it — the address must answer with a feed before it is stored, unless told not to check."""

from __future__ import annotations

from personae.networks.base import Source
from personae.networks.errors import NetworkError
from personae.networks.registry import load
from personae.store import Feed, Invalid, Persona, Store

FEEDS = "rss"  # the network that reads RSS and Atom


def add_feed(store: Store, persona: Persona, url: str, *, verify: bool = True) -> Feed:
    """Add the feed at ``url`` to ``persona``; with ``verify`` (the default) only after one
    fetch found a feed there."""
    if verify:
        try:
            load(FEEDS).verify(Source(url=url.strip()))
        except NetworkError as error:
            raise Invalid(
                f"no feed at that address: {error}; nothing saved (--no-verify saves it anyway)"
            ) from None
    return store.feeds.add(persona, url)
