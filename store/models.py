"""What the store hands out: plain, decrypted, immutable records."""

from __future__ import annotations

from dataclasses import dataclass, field

# Outbox states, per (post, account).
QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"
OUTBOX_STATES = (QUEUED, SENDING, SENT, FAILED)

# Guard term kinds: words that belong to a persona, and words it must never post.
OWN, BLOCKED = "own", "blocked"


@dataclass(frozen=True)
class Persona:
    id: int
    name: str
    glyph: str
    colour: str
    position: int | None
    send_delay: int
    created: float


@dataclass(frozen=True)
class GuardTerm:
    id: int
    persona_id: int
    kind: str
    term: str


@dataclass(frozen=True)
class Account:
    id: int
    persona_id: int
    network: str
    handle: str
    server: str
    secret: str = field(repr=False)
    session: str = field(default="", repr=False)
    cursor: str = ""
    paused: bool = False
    pause_reason: str = ""
    created: float = 0.0


@dataclass(frozen=True)
class Feed:
    id: int
    persona_id: int
    url: str
    etag: str = ""
    last_modified: str = ""
    state: str = "active"  # "active", or "gone" after a 410
    last_error: str = ""
    checked: float | None = None
    created: float = 0.0


@dataclass(slots=True)  # not frozen: made by the ten thousand, and freezing costs ~2 µs each
class Item:
    """One timeline entry, from a feed or an account's home timeline."""

    id: int
    persona_id: int
    source: str  # "feed" or "account"
    source_id: int
    created: float
    read: bool
    author: str = ""
    title: str = ""
    text: str = ""
    url: str = ""
    remote_id: str = ""


@dataclass(frozen=True)
class NewItem:
    """An item as fetched, before the store gives it an id."""

    remote_id: str
    created: float
    author: str = ""
    title: str = ""
    text: str = ""
    url: str = ""


@dataclass(frozen=True)
class Draft:
    id: int
    persona_id: int
    text: str
    targets: tuple[int, ...]
    state: str
    created: float
    updated: float


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    draft_id: int
    persona_id: int
    account_id: int
    state: str
    idem_key: str
    attempts: int
    next_attempt: float
    created: float
    updated: float
    text: str = ""
    details: dict = field(default_factory=dict)  # network-specific, e.g. a record key
    remote_id: str = ""
    last_error: str = ""
