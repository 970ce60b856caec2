"""personae's network adapters and the one interface a plugin implements.

A plugin subclasses ``personae.networks.Network`` and registers it in the entry-point group
``personae.networks``; everything it needs to return is importable from here, and so is
``retry_after``, which reads a server's wait from its headers as every adapter does."""

from personae.networks.base import (
    CHARACTERS,
    GRAPHEMES,
    Capabilities,
    FetchResult,
    Network,
    Post,
    Published,
    Source,
    Verified,
)
from personae.networks.errors import (
    AuthFailed,
    NetworkError,
    NetworkUnavailable,
    RateLimited,
    Rejected,
    ServerTrouble,
    Unreachable,
)
from personae.networks.retry_after import retry_after
from personae.store import NewItem

__all__ = [
    "CHARACTERS",
    "GRAPHEMES",
    "AuthFailed",
    "Capabilities",
    "FetchResult",
    "Network",
    "NetworkError",
    "NetworkUnavailable",
    "NewItem",
    "Post",
    "Published",
    "RateLimited",
    "Rejected",
    "ServerTrouble",
    "Source",
    "Unreachable",
    "Verified",
    "retry_after",
]
