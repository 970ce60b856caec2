"""Timeline items: what a persona's feeds and accounts brought in, newest first.

Only ids, timestamps, read marks and keyed tags are plaintext; each item's author, title,
text, link and remote id are one sealed JSON body, so an item costs one decryption."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from personae.store.models import Item, NewItem, SourceKind

if TYPE_CHECKING:
    from personae.store.store import Store

TABLE = "items"
# A row as selected by COLUMNS: plain tuples, the hot path's cheapest shape.
ItemRow = tuple[int, int, str, int, float, int, bytes]
COLUMNS = "id, persona_id, source, source_id, created, read, body"
_encode_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_decode_json = json.JSONDecoder().decode  # from str: skips json.loads' encoding sniffing
INSERT = (
    "insert or ignore into items "
    "(id, persona_id, source, source_id, remote_tag, created, fetched, read, body) "
    "values (?, ?, ?, ?, ?, ?, ?, 0, ?)"
)


class Timeline:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(
        self, persona_id: int, source: SourceKind | str, source_id: int, items: Iterable[NewItem]
    ) -> int:
        """Store new items from one source; ones already stored (same remote id) are skipped.

        Returns how many were new."""
        source = SourceKind(source)
        cipher = self.store.cipher(persona_id)
        fetched = time.time()
        with self.store.write() as conn:
            before = conn.total_changes
            next_id = self.store.next_id(TABLE)
            rows = []
            for item in items:
                body = _encode_json([item.author, item.title, item.text, item.url, item.remote_id])
                rows.append(
                    (
                        next_id,
                        persona_id,
                        source,
                        source_id,
                        cipher.tag(source, source_id, item.remote_id),
                        item.created,
                        fetched,
                        cipher.seal(TABLE, next_id, "body", body),
                    )
                )
                next_id += 1
            # The hot path of a big feed: plain executemany, without sqlite-utils' per-value
            # conversions (it costs ~40% of an ingest); duplicates are ignored by remote_tag.
            conn.executemany(INSERT, rows)
            return int(conn.total_changes - before)

    def index(self, persona_id: int) -> list[tuple[int, bool]]:
        """(id, read) of every item of the persona, newest first; nothing is decrypted."""
        with self.store.read() as conn:
            rows = conn.execute(
                "select id, read from items where persona_id = ? order by created desc, id desc",
                (persona_id,),
            ).fetchall()
        return [(row[0], bool(row[1])) for row in rows]

    def newest(self, persona_id: int, limit: int = 200, offset: int = 0) -> list[Item]:
        with self.store.read() as conn:
            rows = conn.execute(
                f"select {COLUMNS} from items where persona_id = ? "
                "order by created desc, id desc limit ? offset ?",
                (persona_id, limit, offset),
            ).fetchall()
        return self._decode_all(rows)

    def load(self, ids: list[int]) -> dict[int, Item]:
        """The items with these ids (those that decrypt), by id."""
        found: dict[int, Item] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            with self.store.read() as conn:
                rows = conn.execute(
                    f"select {COLUMNS} from items where id in ({marks})", chunk
                ).fetchall()
            found.update((item.id, item) for item in self._decode_all(rows))
        return found

    def iterate(self, persona_id: int, batch: int = 2000) -> Iterator[Item]:
        """Every item of the persona, newest first, decrypted a batch at a time."""
        ids = [item_id for item_id, _ in self.index(persona_id)]
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            loaded = self.load(chunk)
            yield from (loaded[i] for i in chunk if i in loaded)

    def count(self, persona_id: int, unread_only: bool = False) -> int:
        query = "select count(*) from items where persona_id = ?"
        if unread_only:
            query += " and read = 0"
        with self.store.read() as conn:
            return int(conn.execute(query, (persona_id,)).fetchone()[0])

    def mark_read(self, ids: Iterable[int], read: bool = True) -> None:
        with self.store.write() as conn:
            conn.executemany(
                "update items set read = ? where id = ?", [(int(read), i) for i in ids]
            )

    def mark_all_read(self, persona_id: int) -> None:
        with self.store.write() as conn:
            conn.execute("update items set read = 1 where persona_id = ?", (persona_id,))

    def _decode_all(self, rows: list[ItemRow]) -> list[Item]:
        return self.store.decoded(rows, self._decode)

    def _decode(self, row: ItemRow) -> Item:
        item_id, persona_id, source, source_id, created, read, body = row
        cipher = self.store.cipher(persona_id)
        author, title, text, url, remote_id = _decode_json(
            cipher.unseal(TABLE, item_id, "body", body).decode("utf-8")
        )
        return Item(
            id=item_id,
            persona_id=persona_id,
            source=SourceKind(source),
            source_id=source_id,
            created=created,
            read=bool(read),
            author=author,
            title=title,
            text=text,
            url=url,
            remote_id=remote_id,
        )
