"""What can go wrong talking to a network, and what the outbox should do about it.

Every error carries a one-line, user-facing message and a decision: retry or not, after how
long, and whether the request may have reached the server (then a cancelled post could
already be public)."""

from __future__ import annotations


class NetworkError(Exception):
    """Base class. ``retry``: worth trying again later; ``retry_after``: seconds the server
    asked for; ``reached_server``: the request may have been received."""

    retry = False
    reached_server = True

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AuthFailed(NetworkError):
    """Wrong or revoked credentials: the account's queue pauses until they are fixed."""

    reached_server = False  # the server refused before accepting anything


class RateLimited(NetworkError):
    """429: wait ``retry_after`` seconds (or back off) and try again."""

    retry = True


class Unreachable(NetworkError):
    """No connection could be made (down, refused, DNS): nothing was sent."""

    retry = True
    reached_server = False


class ServerTrouble(NetworkError):
    """5xx, timeout, or an invalid or truncated answer: maybe sent; retry idempotently."""

    retry = True


class Rejected(NetworkError):
    """The server refused this request for good (too long, invalid): do not retry."""

    reached_server = False


class NetworkUnavailable(NetworkError):
    """The network's plugin is not installed, not allowed, or failed to import."""

    reached_server = False
