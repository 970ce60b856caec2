"""What the store hands out: plain, decrypted, immutable records."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class PostState(StrEnum):
    """Where a post stands. A draft is DRAFT (editable), QUEUED (in the outbox) or SENT (every
    entry sent); each outbox entry, one per (post, account), is QUEUED, SENDING, SENT or
    FAILED. Stored as the plain value."""

    DRAFT = "draft"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class GuardKind(StrEnum):
    """Guard terms: words that belong to a persona, and words it must never post."""

    OWN = "own"
    BLOCKED = "blocked"


class FeedState(StrEnum):
    ACTIVE = "active"
    GONE = "gone"  # the server answered 410; not fetched until enabled again


class SourceKind(StrEnum):
    """Where a timeline item came from."""

    FEED = "feed"
    ACCOUNT = "account"


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
    kind: GuardKind
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
    verified: bool = True  # the server accepted its login; only then is its handle guarded


@dataclass(frozen=True)
class Feed:
    id: int
    persona_id: int
    url: str
    etag: str = ""
    last_modified: str = ""
    state: FeedState = FeedState.ACTIVE
    last_error: str = ""
    checked: float | None = None
    created: float = 0.0


@dataclass(slots=True)  # not frozen: made by the ten thousand, and freezing costs ~2 µs each
class Item:
    """One timeline entry, from a feed or an account's home timeline."""

    id: int
    persona_id: int
    source: SourceKind
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
    state: PostState
    created: float
    updated: float


@dataclass(frozen=True)
class OutboxEntry:
    """One (post, account) in the outbox. ``details`` are the network's own, fixed before
    the first attempt (None until then); the rest is the outbox's own control."""

    id: int
    draft_id: int
    persona_id: int
    account_id: int
    state: PostState
    idem_key: str
    attempts: int
    next_attempt: float
    created: float
    updated: float
    text: str = ""
    details: dict[str, Any] | None = None  # network-specific, e.g. a Bluesky record key
    remote_id: str = ""
    last_error: str = ""
    owner: str = ""  # "host:pid" of the process that claimed it while SENDING
    offline: bool = False  # waits only because no server could be reached
    reached: bool = False  # an attempt reached a server: it may be published already
