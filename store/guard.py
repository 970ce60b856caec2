"""The publish guard: terms that belong to a persona, terms it must never post, and the
check that catches a post about one persona's world going out as another.

Matching is look-alike-proof (confusables.py): '#АСМЕ' in Cyrillic capitals, '＃ａｃｍｅ' in
full width or '#ac<zero-width space>me' are all '#acme'. A guard that cannot read itself
refuses: when a term or an account handle fails authentication, ``check`` raises
``GuardDamaged`` instead of checking less."""

from __future__ import annotations

import builtins
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from personae.store.accounts import handle_key
from personae.store.confusables import Text, ignorable
from personae.store.errors import GuardDamaged, Invalid, NotFound, TamperedValue
from personae.store.models import GuardKind, GuardTerm, Persona
from personae.store.schema import term_column
from personae.store.text import one_line

if TYPE_CHECKING:
    from personae.store.store import Row, Store

TABLE = "guard_terms"
T = TypeVar("T")


@dataclass(frozen=True)
class Finding:
    """One reason to stop a post: a term that belongs to another persona (``OWN``), or a
    term blocked for this one (``BLOCKED``)."""

    kind: GuardKind
    term: str
    persona: str  # whose term it is
    found: str = ""  # the words of the post that matched, as written there

    def __str__(self) -> str:
        whose = (
            f"is blocked for {self.persona}"
            if self.kind == GuardKind.BLOCKED
            else f"belongs to {self.persona}"
        )
        if self.found and fold(self.found).lstrip("@") != fold(self.term).lstrip("@"):
            return f"'{self.found}' looks like '{self.term}', which {whose}"
        return f"'{self.term}' {whose}"


def fold(text: str) -> str:
    """Case- and width-insensitive form, invisible characters dropped: how terms are told
    apart when added or removed."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return "".join(c for c in folded if not ignorable(c))


def normalise_term(term: str) -> str:
    """A term as stored: one line, single spaces, no invisible characters."""
    return " ".join("".join(c for c in one_line(term) if not ignorable(c)).split())


class Guard:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, persona: Persona, kind: str, term: str) -> GuardTerm:
        term = normalise_term(term)
        if kind not in tuple(GuardKind):
            kinds = " or ".join(repr(k.value) for k in GuardKind)
            raise Invalid(f"a guard term is {kinds}, not {kind!r}")
        if not term:
            raise Invalid("a guard term needs some visible text")
        with self.store.write():
            for existing in self.list(persona.id):
                if fold(existing.term) == fold(term):
                    return existing
            term_id = self.store.next_id(TABLE)
            cipher = self.store.cipher(persona.id)
            self.store.insert(
                TABLE,
                {
                    "id": term_id,
                    "persona_id": persona.id,
                    "kind": kind,
                    "created": time.time(),
                    "term": cipher.seal(TABLE, term_id, term_column(kind), term),
                },
            )
        return GuardTerm(term_id, persona.id, GuardKind(kind), term)

    def list(self, persona_id: int | None = None) -> builtins.list[GuardTerm]:
        """The terms that decrypt, of one persona or of all; damaged ones are reported."""
        return self.store.decoded(self._rows(persona_id), self._decode)

    def remove(self, persona: Persona, term: str) -> None:
        for existing in self.list(persona.id):
            if fold(existing.term) == fold(term):
                with self.store.write() as conn:
                    conn.execute("delete from guard_terms where id = ?", (existing.id,))
                return
        raise NotFound(f"{persona.name} has no guard term {term!r}")

    def check(self, persona: Persona, text: str) -> builtins.list[Finding]:
        """What in ``text`` should stop ``persona`` from posting it: other personas' own
        terms and verified account handles, and this persona's blocked terms.

        Raises ``GuardDamaged`` when any term or account of the store fails to decrypt."""
        names = self.store.personas.names()
        terms = self._every(self._rows(None), self._decode, names)
        accounts = self._every(
            self.store.rows("select * from accounts order by id"), self.store.accounts.decode, names
        )
        post = Text(text)
        findings = []
        for term in terms:
            mine = term.persona_id == persona.id
            applies = (term.kind == GuardKind.OWN) != mine
            if applies and (found := post.find(term.term)) is not None:
                findings.append(Finding(term.kind, term.term, names[term.persona_id], found))
        for account in accounts:
            if account.verified and account.persona_id != persona.id:
                found = post.find(handle_key(account.handle))
                if found is not None:
                    whose = names[account.persona_id]
                    findings.append(Finding(GuardKind.OWN, account.handle, whose, found))
        return findings

    def remove_damaged(self) -> builtins.list[TamperedValue]:
        """Delete every guard term and account that fails authentication (an account's
        unsent posts go back to drafts first), so the guard works again; returns what went."""
        removed = []
        with self.store.write() as conn:
            for row in self._rows(None):
                try:
                    self._decode(row)
                except TamperedValue as problem:
                    conn.execute("delete from guard_terms where id = ?", (row["id"],))
                    removed.append(problem)
            for row in self.store.rows("select * from accounts"):
                try:
                    self.store.accounts.decode(row)
                except TamperedValue as problem:
                    self.store.accounts.remove_row(row["id"], row["persona_id"])
                    removed.append(problem)
        return removed

    def _every(
        self, rows: builtins.list[Row], decode: Callable[[Row], T], names: dict[int, str]
    ) -> builtins.list[T]:
        """Every row decoded, or ``GuardDamaged`` naming the first damaged one's persona."""
        out = []
        for row in rows:
            try:
                out.append(decode(row))
            except TamperedValue as problem:
                self.store.report(problem)
                persona = names.get(row["persona_id"], f"persona {row['persona_id']}")
                raise GuardDamaged(problem, persona) from None
        return out

    def _rows(self, persona_id: int | None) -> builtins.list[Row]:
        query, args = "select * from guard_terms", builtins.list[object]()
        if persona_id is not None:
            query, args = query + " where persona_id = ?", [persona_id]
        return self.store.rows(query + " order by persona_id, kind desc, id", args)

    def _decode(self, row: Row) -> GuardTerm:
        kind = GuardKind(row["kind"]) if row["kind"] in tuple(GuardKind) else None
        if kind is None:  # not a kind personae writes: changed on disk
            raise TamperedValue(TABLE, row["id"], "kind", row["persona_id"])
        cipher = self.store.cipher(row["persona_id"])
        term = cipher.field(TABLE, row, "term", term_column(kind))
        return GuardTerm(row["id"], row["persona_id"], kind, term)
