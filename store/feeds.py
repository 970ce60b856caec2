"""Feeds: RSS/Atom sources a persona reads, with what conditional GET needs."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from personae.store.errors import Conflict, Invalid, NotFound, TamperedValue
from personae.store.models import Feed, FeedState, Persona

if TYPE_CHECKING:
    from personae.store.store import Store

SEALED = ("url", "etag", "last_modified", "last_error")


def check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid(f"not a feed address: {url!r} (expected http:// or https://)")
    return url


class Feeds:
    TABLE = "feeds"

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, persona: Persona, url: str) -> Feed:
        url = check_url(url)
        with self.store.write():
            if any(feed.url == url for feed in self.list(persona.id)):
                raise Conflict(f"{persona.name} already reads {url}")
            fid = self.store.next_id(self.TABLE)
            cipher = self.store.cipher(persona.id)
            self.store.db[self.TABLE].insert(
                {
                    "id": fid,
                    "persona_id": persona.id,
                    "created": time.time(),
                    "state": FeedState.ACTIVE,
                    "url": cipher.seal(self.TABLE, fid, "url", url),
                }
            )
        return self.get(fid)

    def list(self, persona_id: int | None = None) -> list[Feed]:
        query, args = "select * from feeds", ()
        if persona_id is not None:
            query, args = query + " where persona_id = ?", (persona_id,)
        feeds = []
        for row in self.store.rows(query + " order by id", args):
            try:
                feeds.append(self._decode(row))
            except TamperedValue as problem:
                self.store.report(problem)
        return feeds

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
        with self.store.write() as conn:
            conn.execute("delete from items where source = 'feed' and source_id = ?", (feed.id,))
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
        changes: dict = {"checked": time.time(), "state": FeedState.GONE if gone else feed.state}
        values = {"etag": etag, "last_modified": last_modified, "url": url, "last_error": error}
        for column, value in values.items():
            if value is not None:
                changes[column] = cipher.seal(self.TABLE, feed.id, column, value)
        with self.store.write():
            self.store.db[self.TABLE].update(feed.id, changes)
        return self.get(feed.id)

    def reactivate(self, feed: Feed) -> Feed:
        with self.store.write() as conn:
            conn.execute("update feeds set state = ? where id = ?", (FeedState.ACTIVE, feed.id))
        return self.get(feed.id)

    def _decode(self, row: dict) -> Feed:
        cipher = self.store.cipher(row["persona_id"])
        opened = {col: cipher.text(self.TABLE, row["id"], col, row[col]) for col in SEALED}
        return Feed(
            id=row["id"],
            persona_id=row["persona_id"],
            state=FeedState(row["state"]),
            checked=row["checked"],
            created=row["created"],
            **opened,
        )
