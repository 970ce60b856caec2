"""Finding networks: entry points in the group ``personae.networks``, listed from package
metadata without importing them, loaded on first use, and filtered by the
``PERSONAE_NETWORKS`` allow-list (comma-separated names) that a shared box can set."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points

from personae.networks.base import Network
from personae.networks.errors import NetworkUnavailable

GROUP = "personae.networks"


@dataclass(frozen=True)
class Plugin:
    """A network as its package metadata describes it; nothing imported yet."""

    name: str
    target: str  # "module:Class"
    distribution: str
    version: str


def allowed() -> set[str] | None:
    """The allow-list from ``PERSONAE_NETWORKS``, or None when everything may load."""
    return _parse(os.environ.get("PERSONAE_NETWORKS", ""))


def _parse(allow_list: str) -> set[str] | None:
    names = {name.strip().lower() for name in allow_list.split(",") if name.strip()}
    return names or None


def plugins() -> dict[str, Plugin]:
    """Installed networks that the allow-list admits, by name."""
    return dict(_scan(os.environ.get("PERSONAE_NETWORKS", "")))


@cache
def _scan(allow_list: str) -> tuple[tuple[str, Plugin], ...]:
    """The entry-point scan (~30 ms), once per allow-list value."""
    admitted = _parse(allow_list)
    found: dict[str, Plugin] = {}
    for point in entry_points(group=GROUP):
        name = point.name.lower()
        if admitted is not None and name not in admitted:
            continue
        dist = point.dist
        found.setdefault(
            name,
            Plugin(
                name=name,
                target=point.value,
                distribution=dist.name if dist else "?",
                version=dist.version if dist else "?",
            ),
        )
    return tuple(found.items())


def load(name: str) -> Network:
    """The network adapter called ``name``, imported now if it was not yet."""
    plugin = plugins().get(name.lower())
    if plugin is None:
        admitted = allowed()
        if admitted is not None and name.lower() not in admitted:
            raise NetworkUnavailable(f"network {name!r} is not in PERSONAE_NETWORKS")
        known = ", ".join(sorted(plugins())) or "none"
        raise NetworkUnavailable(f"no network called {name!r} is installed (have: {known})")
    return _instantiate(plugin.target, plugin.name)


@cache
def _instantiate(target: str, name: str) -> Network:
    try:
        cls = EntryPoint(name=name, value=target, group=GROUP).load()
        network = cls()
    except Exception as error:  # a broken plugin must not take the app down
        raise NetworkUnavailable(
            f"network {name!r} failed to load ({type(error).__name__}: {error})"
        ) from None
    if not isinstance(network, Network):
        raise NetworkUnavailable(f"network {name!r} ({target}) is not a personae Network")
    return network


def loadable() -> tuple[dict[str, Network], dict[str, str]]:
    """Every admitted network loaded: (adapters by name, load errors by name)."""
    adapters: dict[str, Network] = {}
    errors: dict[str, str] = {}
    for name in plugins():
        try:
            adapters[name] = load(name)
        except NetworkUnavailable as error:
            errors[name] = str(error)
    return adapters, errors
