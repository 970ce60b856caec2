"""Drafts: text a persona is writing, autosaved, sealed under that persona's key."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from personae.store.errors import Conflict, NotFound, TamperedValue
from personae.store.models import Draft, Persona, PostState

if TYPE_CHECKING:
    from personae.store.store import Store


class Drafts:
    TABLE = "drafts"

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
        now = time.time()
        cipher = self.store.cipher(persona_id)
        with self.store.write() as conn:
            if draft_id is None:
                draft_id = self.store.next_id(self.TABLE)
                self.store.db[self.TABLE].insert(
                    {
                        "id": draft_id,
                        "persona_id": persona_id,
                        "created": now,
                        "state": PostState.DRAFT,
                    },
                )
            else:
                row = conn.execute(
                    "select persona_id, state from drafts where id = ?", (draft_id,)
                ).fetchone()
                if row is None:
                    raise NotFound(f"no draft {draft_id}")
                if row[0] != persona_id:
                    raise Conflict(f"draft {draft_id} belongs to another persona")
                if row[1] != PostState.DRAFT:
                    raise Conflict(f"draft {draft_id} is {row[1]}, no longer editable")
            conn.execute(
                "update drafts set updated = ?, text = ?, targets = ? where id = ?",
                (
                    now,
                    cipher.seal(self.TABLE, draft_id, "text", text),
                    cipher.seal_json(self.TABLE, draft_id, "targets", list(targets)),
                    draft_id,
                ),
            )
        return self.get(draft_id)

    def get(self, draft_id: int) -> Draft:
        rows = self.store.rows("select * from drafts where id = ?", (draft_id,))
        if not rows:
            raise NotFound(f"no draft {draft_id}")
        return self._decode(rows[0])

    def list(
        self, persona_id: int, states: Sequence[PostState] = (PostState.DRAFT,)
    ) -> list[Draft]:
        """The persona's drafts in these states, most recently edited first."""
        marks = ",".join("?" * len(states))
        rows = self.store.rows(
            f"select * from drafts where persona_id = ? and state in ({marks}) "
            "order by updated desc, id desc",
            (persona_id, *states),
        )
        drafts = []
        for row in rows:
            try:
                drafts.append(self._decode(row))
            except TamperedValue as problem:
                self.store.report(problem)
        return drafts

    def remove(self, draft: Draft) -> None:
        with self.store.write() as conn:
            pending = conn.execute(
                "select count(*) from outbox where draft_id = ? and state != 'sent'", (draft.id,)
            ).fetchone()[0]
            if pending:
                raise Conflict(f"draft {draft.id} is in the outbox; cancel it there first")
            conn.execute("delete from outbox where draft_id = ?", (draft.id,))
            conn.execute("delete from drafts where id = ?", (draft.id,))

    def move(self, draft: Draft, persona: Persona) -> Draft:
        """Give an editable draft to another persona: resealed under its key, no targets."""
        if draft.state != PostState.DRAFT:
            raise Conflict(f"draft {draft.id} is {draft.state}; only drafts can move")
        cipher = self.store.cipher(persona.id)
        with self.store.write() as conn:
            conn.execute(
                "update drafts set persona_id = ?, updated = ?, text = ?, targets = ? where id = ?",
                (
                    persona.id,
                    time.time(),
                    cipher.seal(self.TABLE, draft.id, "text", draft.text),
                    cipher.seal_json(self.TABLE, draft.id, "targets", []),
                    draft.id,
                ),
            )
        return self.get(draft.id)

    def set_state(self, draft_id: int, state: PostState) -> None:
        with self.store.write() as conn:
            conn.execute("update drafts set state = ? where id = ?", (state, draft_id))

    def _decode(self, row: dict) -> Draft:
        cipher = self.store.cipher(row["persona_id"])
        targets = cipher.json(self.TABLE, row["id"], "targets", row["targets"]) or []
        return Draft(
            id=row["id"],
            persona_id=row["persona_id"],
            text=cipher.text(self.TABLE, row["id"], "text", row["text"]),
            targets=tuple(targets),
            state=PostState(row["state"]),
            created=row["created"],
            updated=row["updated"] or row["created"],
        )
