"""Times as servers write them: ISO 8601 in JSON (Mastodon, Bluesky, rate-limit resets) and
HTTP dates in headers. Every parser here returns an aware UTC datetime, or None for a value
that is not a time — a server's bad date never raises."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def parse_iso(value: object) -> datetime | None:
    """``2024-05-01T12:00:00.000Z`` and its variants; a time without a zone is UTC."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_http_date(value: object) -> datetime | None:
    """``Wed, 01 May 2024 12:00:00 GMT`` (RFC 9110's IMF-fixdate and its older forms)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
