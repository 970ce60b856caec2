"""Feeds: RSS/Atom sources a persona reads, with what conditional GET needs."""

from __future__ import annotations

import builtins
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from personae.store.errors import Conflict, Invalid, NotFound
from personae.store.models import Feed, FeedState, Persona

if TYPE_CHECKING:
    from personae.store.store import Row, Store

TABLE = "feeds"


def check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid(f"not a feed address: {url!r} (expected http:// or https://)")
    return url


class Feeds:
    TABLE = TABLE

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, persona: Persona, url: str) -> Feed:
        url = check_url(url)
        with self.store.write():
            if any(feed.url == url for feed in self.list(persona.id)):
                raise Conflict(f"{persona.name} already reads {url}")
            fid = self.store.next_id(TABLE)
            cipher = self.store.cipher(persona.id)
            row: dict[str, object] = {
                "id": fid,
                "persona_id": persona.id,
                "created": time.time(),
                "state": FeedState.ACTIVE,
                "url": cipher.seal(TABLE, fid, "url", url),
            }
            for column in ("etag", "last_modified", "last_error"):
                row[column] = cipher.seal(TABLE, fid, column, "")
            self.store.insert(TABLE, row)
        return self.get(fid)

    def list(self, persona_id: int | None = None) -> builtins.list[Feed]:
        if persona_id is None:
            rows = self.store.rows("select * from feeds order by id")
        else:
            rows = self.store.rows(
                "select * from feeds where persona_id = ? order by id", (persona_id,)
            )
        return self.store.decoded(rows, self._decode)

    def get(self, feed_id: int) -> Feed:
        rows = self.store.rows("select * from feeds where id = ?", (feed_id,))
        if not rows:
            raise NotFound(f"no feed with id {feed_id}")
        return self._decode(rows[0])

    def find(self, persona: Persona, url: str) -> Feed:
        feeds = self.list(persona.id)
        for feed in feeds:
            if feed.url == url.strip():
                return feed
        raise NotFound(f"{persona.name} reads no feed {url!r}")

    def remove(self, feed: Feed) -> None:
        """Remove the feed; its timeline items go with it (schema.py's trigger)."""
        with self.store.write() as conn:
            conn.execute("delete from feeds where id = ?", (feed.id,))

    def record_fetch(
        self,
        feed: Feed,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        url: str | None = None,
        error: str = "",
        gone: bool = False,
    ) -> Feed:
        """Remember what a fetch learned: validators, a moved URL, an error, a 410."""
        cipher = self.store.cipher(feed.persona_id)
        changes: dict[str, object] = {
            "checked": time.time(),
            "state": FeedState.GONE if gone else feed.state,
        }
        values = {"etag": etag, "last_modified": last_modified, "url": url, "last_error": error}
        for column, value in values.items():
            if value is not None:
                changes[column] = cipher.seal(TABLE, feed.id, column, value)
        assignments = ", ".join(f"{column} = ?" for column in changes)
        with self.store.write() as conn:
            conn.execute(
                f"update feeds set {assignments} where id = ?", (*changes.values(), feed.id)
            )
        return self.get(feed.id)

    def enable(self, feed: Feed) -> Feed:
        """Fetch a feed again that was disabled (its server answered 410 Gone)."""
        with self.store.write() as conn:
            conn.execute("update feeds set state = ? where id = ?", (FeedState.ACTIVE, feed.id))
        return self.get(feed.id)

    def _decode(self, row: Row) -> Feed:
        cipher = self.store.cipher(row["persona_id"])
        return Feed(
            id=row["id"],
            persona_id=row["persona_id"],
            url=cipher.field(TABLE, row, "url"),
            etag=cipher.field(TABLE, row, "etag"),
            last_modified=cipher.field(TABLE, row, "last_modified"),
            state=FeedState(row["state"]),
            last_error=cipher.field(TABLE, row, "last_error"),
            checked=row["checked"],
            created=row["created"],
        )
