"""Personas: the identities a user keeps apart. Each has its own data key."""

from __future__ import annotations

import builtins
import time
import unicodedata
from typing import TYPE_CHECKING

import regex

from personae.store.errors import Conflict, Invalid, NotFound
from personae.store.models import Persona

if TYPE_CHECKING:
    from personae.store.store import Row, Store

# Colours a persona may take by name; any "#rrggbb" works too. Defaults go round this list.
NAMED_COLOURS = {
    "blue": "#1e66f5",
    "orange": "#fe640b",
    "green": "#40a02b",
    "purple": "#8839ef",
    "red": "#d20f39",
    "teal": "#179299",
    "yellow": "#df8e1d",
    "pink": "#ea76cb",
    "grey": "#7c7f93",
}
DEFAULT_GLYPHS = "●◆▲■★♦♣♠✚"
MAX_SEND_DELAY = 24 * 3600
TABLE = "personas"
COLUMNS = "id, created, position, send_delay, name, glyph, colour"


def colour_hex(colour: str) -> str:
    """A persona colour as ``#rrggbb``."""
    return NAMED_COLOURS.get(colour, colour)


def normalise_colour(colour: str) -> str:
    value = colour.strip().lower()
    if value in NAMED_COLOURS or regex.fullmatch(r"#[0-9a-f]{6}", value):
        return value
    names = ", ".join(NAMED_COLOURS)
    raise Invalid(f"unknown colour {colour!r}: use #rrggbb or one of {names}")


def normalise_glyph(glyph: str) -> str:
    value = glyph.strip()
    if len(regex.findall(r"\X", value)) != 1 or not value.isprintable():
        raise Invalid(f"a glyph is one visible character, not {glyph!r}")
    return value


def normalise_name(name: str) -> str:
    value = " ".join(name.split())
    if not value or not value.isprintable() or len(value) > 40:
        raise Invalid("a persona name is 1 to 40 visible characters")
    return value


def name_key(name: str) -> str:
    """How names compare: case- and width-insensitive."""
    return unicodedata.normalize("NFKC", name).casefold()


class Personas:
    TABLE = TABLE

    def __init__(self, store: Store) -> None:
        self.store = store

    def add(
        self,
        name: str,
        colour: str | None = None,
        glyph: str | None = None,
        send_delay: int = 0,
    ) -> Persona:
        name = normalise_name(name)
        with self.store.write():
            existing = self.list()
            if any(name_key(p.name) == name_key(name) for p in existing):
                raise Conflict(f"a persona named {name!r} already exists")
            count = self.store.conn.execute("select count(*) from personas").fetchone()[0]
            colour = normalise_colour(colour) if colour else list(NAMED_COLOURS)[count % 9]
            glyph = normalise_glyph(glyph) if glyph else DEFAULT_GLYPHS[count % 9]
            taken = {p.position for p in existing}
            position = next((n for n in range(1, 10) if n not in taken), None)
            delay = str(_check_delay(send_delay))
            pid = self.store.next_id(TABLE)
            wrapped = self.store.new_persona_key(pid)
            cipher = self.store.cipher(pid)
            values = {"name": name, "glyph": glyph, "colour": colour, "send_delay": delay}
            row: dict[str, object] = {
                "id": pid,
                "created": time.time(),
                "position": position,
                "wrapped_key": wrapped,
            }
            for column, value in values.items():
                row[column] = cipher.seal(TABLE, pid, column, value)
            self.store.insert(TABLE, row)
        return self.get(pid)

    def list(self) -> builtins.list[Persona]:
        """Every persona that decrypts, by position (1–9 first), then by age."""
        rows = self.store.rows(
            f"select {COLUMNS} from personas order by position is null, position, id"
        )
        return self.store.decoded(rows, self._decode)

    def get(self, persona_id: int) -> Persona:
        rows = self.store.rows(f"select {COLUMNS} from personas where id = ?", (persona_id,))
        if not rows:
            raise NotFound(f"no persona with id {persona_id}")
        return self._decode(rows[0])

    def names(self) -> dict[int, str]:
        """Each persona's name by id; one that does not open is "persona N" (and reported)."""
        names = {p.id: p.name for p in self.list()}
        for (pid,) in self.store.conn.execute("select id from personas").fetchall():
            names.setdefault(pid, f"persona {pid}")
        return names

    def find(self, name: str) -> Persona:
        """The persona with this name (case-insensitive); a clear error names the others."""
        personas = self.list()
        for persona in personas:
            if name_key(persona.name) == name_key(name.strip()):
                return persona
        known = ", ".join(p.name for p in personas) or "none yet; add one with 'persona add'"
        raise NotFound(f"no persona named {name!r} (personas: {known})")

    def at_position(self, position: int) -> Persona | None:
        return next((p for p in self.list() if p.position == position), None)

    def rename(self, persona: Persona, new_name: str) -> Persona:
        new_name = normalise_name(new_name)
        with self.store.write():
            others = [p for p in self.list() if p.id != persona.id]
            if any(name_key(p.name) == name_key(new_name) for p in others):
                raise Conflict(f"a persona named {new_name!r} already exists")
            self._set(persona.id, "name", new_name)
        return self.get(persona.id)

    def set_colour(self, persona: Persona, colour: str) -> Persona:
        self._set(persona.id, "colour", normalise_colour(colour))
        return self.get(persona.id)

    def set_glyph(self, persona: Persona, glyph: str) -> Persona:
        self._set(persona.id, "glyph", normalise_glyph(glyph))
        return self.get(persona.id)

    def set_send_delay(self, persona: Persona, seconds: int) -> Persona:
        self._set(persona.id, "send_delay", str(_check_delay(seconds)))
        return self.get(persona.id)

    def move(self, persona: Persona, position: int | None) -> Persona:
        """Give the persona key ``position`` (1–9), swapping with whoever had it."""
        if position is not None and not 1 <= position <= 9:
            raise Invalid("a position is a number from 1 to 9")
        with self.store.write() as conn:
            current = conn.execute(
                "select position from personas where id = ?", (persona.id,)
            ).fetchone()
            conn.execute(
                "update personas set position = ? where position = ? and id != ?",
                (current[0] if current else None, position, persona.id),
            )
            conn.execute("update personas set position = ? where id = ?", (position, persona.id))
        return self.get(persona.id)

    def remove(self, persona: Persona) -> None:
        """Delete the persona and everything it owns (schema.py's cascades); its data key
        goes with it."""
        with self.store.write() as conn:
            conn.execute("delete from personas where id = ?", (persona.id,))
        self.store.forget_persona(persona.id)

    def _set(self, persona_id: int, column: str, value: str) -> None:
        with self.store.write() as conn:
            sealed = self.store.cipher(persona_id).seal(TABLE, persona_id, column, value)
            conn.execute(f"update personas set {column} = ? where id = ?", (sealed, persona_id))

    def _decode(self, row: Row) -> Persona:
        cipher = self.store.cipher(row["id"])
        return Persona(
            id=row["id"],
            name=cipher.field(TABLE, row, "name"),
            glyph=cipher.field(TABLE, row, "glyph"),
            colour=cipher.field(TABLE, row, "colour"),
            position=row["position"],
            send_delay=int(cipher.field(TABLE, row, "send_delay")),
            created=row["created"],
        )


def _check_delay(seconds: int) -> int:
    if not 0 <= int(seconds) <= MAX_SEND_DELAY:
        raise Invalid(f"a send delay is 0 to {MAX_SEND_DELAY} seconds")
    return int(seconds)
