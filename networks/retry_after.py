"""How long a server asks us to wait before trying again: the one reading of its headers
that every adapter uses when it answers 429 (or 503).

In order of precedence:
- ``Retry-After``: seconds, or an HTTP date (RFC 9110);
- a rate-limit window's reset, ``X-RateLimit-Reset`` or ``RateLimit-Reset``: an ISO time
  (Mastodon), epoch seconds (Bluesky's PDS, GitHub), or seconds from now (the IETF draft) —
  a number below ``EPOCH_FLOOR`` is taken as seconds from now.

Times are measured against the server's own ``Date`` when it sends one, so a skewed local
clock does not turn a minute's wait into an hour's. The answer is never negative; a value
that is not a time (or not finite) is no answer."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping

from personae.networks.timestamps import parse_http_date, parse_iso

RESET_HEADERS = ("x-ratelimit-reset", "ratelimit-reset")
EPOCH_FLOOR = 1_000_000_000.0  # 2001-09-09: smaller reset numbers are a delay, not a time


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait, from ``headers`` (any case of names); None when they say nothing."""
    found = {name.lower(): value.strip() for name, value in headers.items()}
    date = parse_http_date(found.get("date"))
    server_now = date.timestamp() if date else (time.time() if now is None else now)
    asked = found.get("retry-after", "")
    if asked:
        wait = _seconds(asked)
        if wait is not None:
            return wait
        at = parse_http_date(asked)
        if at is not None:
            return max(0.0, at.timestamp() - server_now)
    for name in RESET_HEADERS:
        reset = _reset_time(found.get(name, ""), server_now)
        if reset is not None:
            return max(0.0, reset - server_now)
    return None


def _reset_time(value: str, server_now: float) -> float | None:
    """When a rate-limit window resets, as epoch seconds."""
    number = _seconds(value)
    if number is not None:
        return number if number >= EPOCH_FLOOR else server_now + number
    moment = parse_iso(value)
    return moment.timestamp() if moment else None


def _seconds(value: str) -> float | None:
    """A plain, finite, non-negative number, else None."""
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None
