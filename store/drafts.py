"""Drafts: text a persona is writing, autosaved, sealed under that persona's key."""

from __future__ import annotations

import builtins
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from personae.store.errors import Conflict, Invalid, NotFound
from personae.store.models import Draft, Persona, PostState
from personae.store.text import clean

if TYPE_CHECKING:
    from personae.store.store import Row, Store

TABLE = "drafts"
# The longest draft the store takes: above every network's limit (Facebook Pages allow
# 63,206 characters, the most of any), and small enough for the editor to stay responsive.
MAX_DRAFT_CHARS = 100_000


def check_text(text: str) -> str:
    """Draft text as it is stored: escape sequences and control characters removed
    (newlines and tabs kept), at most ``MAX_DRAFT_CHARS`` characters."""
    text = clean(text)
    if len(text) > MAX_DRAFT_CHARS:
        raise Invalid(
            f"a draft is at most {MAX_DRAFT_CHARS:,} characters; this one has {len(text):,}"
        )
    return text


class Drafts:
    TABLE = TABLE

    def __init__(self, store: Store) -> None:
        self.store = store

    def save(
        self,
        persona_id: int,
        text: str,
        targets: Sequence[int] = (),
        draft_id: int | None = None,
    ) -> Draft:
        """Create a draft, or overwrite an editable one's text and targets (autosave)."""
        text = check_text(text)
        now = time.time()
        cipher = self.store.cipher(persona_id)
        with self.store.write() as conn:
            if draft_id is None:
                draft_id = self.store.next_id(TABLE)
                self.store.insert(
                    TABLE,
                    {
                        "id": draft_id,
                        "persona_id": persona_id,
                        "created": now,
                        "updated": now,
                        "state": PostState.DRAFT,
                        "text": cipher.seal(TABLE, draft_id, "text", text),
                        "targets": cipher.seal_json(TABLE, draft_id, "targets", list(targets)),
                    },
                )
                return self.get(draft_id)
            row = conn.execute(
                "select persona_id, state from drafts where id = ?", (draft_id,)
            ).fetchone()
            if row is None:
                raise NotFound(f"no draft {draft_id}")
            if row[0] != persona_id:
                raise Conflict(f"draft {draft_id} belongs to another persona")
            if row[1] != PostState.DRAFT:
                raise Conflict(f"draft {draft_id} is {row[1]}, no longer editable")
            self._write(persona_id, draft_id, text, targets)
        return self.get(draft_id)

    def get(self, draft_id: int) -> Draft:
        rows = self.store.rows("select * from drafts where id = ?", (draft_id,))
        if not rows:
            raise NotFound(f"no draft {draft_id}")
        return self._decode(rows[0])

    def list(
        self, persona_id: int, states: Sequence[PostState] = (PostState.DRAFT,)
    ) -> builtins.list[Draft]:
        """The persona's drafts in these states, most recently edited first."""
        marks = ",".join("?" * len(states))
        rows = self.store.rows(
            f"select * from drafts where persona_id = ? and state in ({marks}) "
            "order by updated desc, id desc",
            (persona_id, *states),
        )
        return self.store.decoded(rows, self._decode)

    def remove(self, draft: Draft) -> None:
        """Delete a draft and its sent history; refused while any of it is in the outbox."""
        with self.store.write() as conn:
            pending = conn.execute(
                "select count(*) from outbox where draft_id = ? and state != ?",
                (draft.id, PostState.SENT),
            ).fetchone()[0]
            if pending:
                raise Conflict(f"draft {draft.id} is in the outbox; cancel it there first")
            conn.execute("delete from drafts where id = ?", (draft.id,))

    def move(self, draft: Draft, persona: Persona) -> Draft:
        """Give an editable draft to another persona: resealed under its key, no targets."""
        if draft.state != PostState.DRAFT:
            raise Conflict(f"draft {draft.id} is {draft.state}; only drafts can move")
        with self.store.write() as conn:
            conn.execute("update drafts set persona_id = ? where id = ?", (persona.id, draft.id))
            self._write(persona.id, draft.id, draft.text, [])
        return self.get(draft.id)

    def set_targets(self, draft: Draft, targets: Sequence[int]) -> None:
        """Change the accounts a draft is meant for, whatever its state."""
        self._write(draft.persona_id, draft.id, draft.text, targets)

    def set_state(self, draft_id: int, state: PostState) -> None:
        with self.store.write() as conn:
            conn.execute("update drafts set state = ? where id = ?", (state, draft_id))

    def _write(self, persona_id: int, draft_id: int, text: str, targets: Sequence[int]) -> None:
        cipher = self.store.cipher(persona_id)
        with self.store.write() as conn:
            conn.execute(
                "update drafts set updated = ?, text = ?, targets = ? where id = ?",
                (
                    time.time(),
                    cipher.seal(TABLE, draft_id, "text", text),
                    cipher.seal_json(TABLE, draft_id, "targets", list(targets)),
                    draft_id,
                ),
            )

    def _decode(self, row: Row) -> Draft:
        cipher = self.store.cipher(row["persona_id"])
        targets = cipher.json(TABLE, row["id"], "targets", row["targets"])
        return Draft(
            id=row["id"],
            persona_id=row["persona_id"],
            text=cipher.field(TABLE, row, "text"),
            targets=tuple(targets),
            state=PostState(row["state"]),
            created=row["created"],
            updated=row["updated"] or row["created"],
        )
