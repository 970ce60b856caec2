"""The one small interface every network implements. No Textual, no SQLite here: adapters
take plain values and return plain values; the sync engine moves them in and out of the store.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import regex

from personae.store import Account, Feed, NewItem

GRAPHEMES, CHARACTERS = "graphemes", "characters"


@dataclass(frozen=True)
class Capabilities:
    read_only: bool = False  # can only read (feeds)
    max_length: int | None = None  # longest post, in ``length_unit``
    length_unit: str = CHARACTERS
    needs_secret: bool = True
    secret_label: str = "password"  # how the prompt names the secret
    default_server: str = ""
    publish_only: bool = False  # publishes, but the API offers no timeline to read


@dataclass(frozen=True)
class Source:
    """Where to read or publish: a feed URL, or an account on a server."""

    url: str  # the feed's URL, or the account's server
    handle: str = ""
    secret: str = field(default="", repr=False)
    session: str = field(default="", repr=False)  # as stored after the last login
    cursor: str = ""  # network-specific position in the timeline
    etag: str = ""
    last_modified: str = ""

    @classmethod
    def for_account(cls, account: Account) -> Source:
        """Where an account reads and publishes, with its stored secret, session and cursor."""
        return cls(
            url=account.server,
            handle=account.handle,
            secret=account.secret,
            session=account.session,
            cursor=account.cursor,
        )

    @classmethod
    def for_feed(cls, feed: Feed) -> Source:
        """A feed's address and the validators of its last fetch (conditional GET)."""
        return cls(url=feed.url, etag=feed.etag, last_modified=feed.last_modified)


@dataclass(frozen=True)
class Verified:
    """An account that logged in: its canonical handle and the session to store."""

    handle: str
    session: str = field(default="", repr=False)
    display_name: str = ""


@dataclass
class FetchResult:
    items: list[NewItem] = field(default_factory=list)
    cursor: str = ""
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False  # 304: nothing changed
    moved_to: str = ""  # a permanent redirect: store this URL from now on
    gone: bool = False  # 410: the feed is no more; disable it
    warnings: list[str] = field(default_factory=list)  # kept what parsed, reported the rest
    session: str = ""  # a refreshed session to store, when it changed


@dataclass(frozen=True)
class Post:
    text: str
    idem_key: str  # stored before the first attempt
    details: dict[str, Any] = field(default_factory=dict)  # from ``prepare``, stored likewise
    # Called by an adapter with details to store before its next step (e.g. a container id),
    # so that a retry after a crash resumes instead of starting over.
    checkpoint: Callable[[dict[str, Any]], None] | None = field(
        default=None, compare=False, repr=False
    )


@dataclass(frozen=True)
class Published:
    remote_id: str
    url: str = ""
    session: str = ""  # a refreshed session to store, when it changed


class Network(ABC):
    """A network adapter. Subclasses are found through the ``personae.networks`` entry points
    and must import their client library lazily, inside the methods that need it."""

    name: ClassVar[str]
    title: ClassVar[str]
    capabilities: ClassVar[Capabilities]

    @abstractmethod
    def verify(self, source: Source) -> Verified:
        """Log in (or check the feed answers); raise ``AuthFailed`` on wrong credentials."""

    @abstractmethod
    def fetch(self, source: Source) -> FetchResult:
        """New timeline items since ``source.cursor`` (or the feed's validators)."""

    def prepare(self, text: str, idem_key: str) -> dict[str, Any]:
        """Details fixed before the first attempt (e.g. a record key); stored by the outbox."""
        return {}

    def publish(self, source: Source, post: Post) -> Published:
        """Publish once: a retry with the same ``post`` must not create a second post."""
        from personae.networks.errors import Rejected

        raise Rejected(f"{self.title} is read-only")

    def find_published(self, source: Source, post: Post) -> Published | None:
        """The post, if an earlier attempt already published it; else None.

        For networks without an idempotency key: after an attempt whose outcome is unknown
        (timeout, dropped connection, 5xx after sending) the sync engine calls this before
        sending again. An adapter looks among the account's own recent posts for this text
        (after the network's own normalisation), created since the attempt's timestamp in
        ``post.details``, in one request. The default finds nothing: networks whose
        ``publish`` is idempotent by itself need no look-up."""
        return None

    def delete(self, source: Source, remote_id: str) -> None:
        from personae.networks.errors import Rejected

        raise Rejected(f"{self.title} is read-only")

    def length(self, text: str) -> int:
        """The post's length in this network's unit."""
        if self.capabilities.length_unit == GRAPHEMES:
            return len(regex.findall(r"\X", text))
        return len(text)

    def check_length(self, text: str) -> str | None:
        """A message if ``text`` is too long for this network, else None."""
        limit = self.capabilities.max_length
        if limit is not None and self.length(text) > limit:
            unit = self.capabilities.length_unit
            return f"{self.length(text)} {unit}, {self.title} allows {limit}"
        return None
