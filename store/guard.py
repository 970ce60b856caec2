"""The publish guard: terms that belong to a persona, terms it must never post, and the
check that catches a post about one persona's world going out as another."""

from __future__ import annotations

import time
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

import regex

from personae.store.accounts import handle_key
from personae.store.errors import Invalid, NotFound, TamperedValue
from personae.store.models import GuardKind, GuardTerm, Persona

if TYPE_CHECKING:
    from personae.store.store import Store

TABLE = "guard_terms"


@dataclass(frozen=True)
class Finding:
    """One reason to stop a post: a term of another persona, or a blocked term."""

    kind: str  # "other" (belongs to another persona) or "blocked"
    term: str
    persona: str  # whose term it is

    def __str__(self) -> str:
        if self.kind == GuardKind.BLOCKED:
            return f"'{self.term}' is blocked for {self.persona}"
        return f"'{self.term}' belongs to {self.persona}"


def fold(text: str) -> str:
    """Case- and look-alike-insensitive form: full-width '＃ＳＭＴ' folds to '#smt'."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def contains(text: str, term: str) -> bool:
    """Whether ``term`` occurs in ``text`` as a whole word, hashtag, handle or link part."""
    needle = fold(term).strip()
    if not needle:
        return False
    pattern = r"(?<![\w])" + regex.escape(needle) + r"(?![\w])"
    return regex.search(pattern, fold(text)) is not None


class Guard:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, persona: Persona, kind: str, term: str) -> GuardTerm:
        term = " ".join(term.split())
        if kind not in tuple(GuardKind):
            raise Invalid(f"a guard term is 'own' or 'blocked', not {kind!r}")
        if not term or not term.isprintable():
            raise Invalid("a guard term needs some visible text")
        with self.store.write():
            for existing in self.list(persona.id):
                if fold(existing.term) == fold(term):
                    return existing
            term_id = self.store.next_id(TABLE)
            cipher = self.store.cipher(persona.id)
            self.store.db[TABLE].insert(
                {
                    "id": term_id,
                    "persona_id": persona.id,
                    "kind": kind,
                    "created": time.time(),
                    "term": cipher.seal(TABLE, term_id, "term", term),
                }
            )
        return GuardTerm(term_id, persona.id, GuardKind(kind), term)

    def list(self, persona_id: int | None = None) -> list[GuardTerm]:
        query, args = "select * from guard_terms", ()
        if persona_id is not None:
            query, args = query + " where persona_id = ?", (persona_id,)
        terms = []
        for row in self.store.rows(query + " order by persona_id, kind desc, id", args):
            try:
                cipher = self.store.cipher(row["persona_id"])
                text = cipher.text(TABLE, row["id"], "term", row["term"])
            except TamperedValue as problem:
                self.store.report(problem)
                continue
            terms.append(GuardTerm(row["id"], row["persona_id"], GuardKind(row["kind"]), text))
        return terms

    def remove(self, persona: Persona, term: str) -> None:
        for existing in self.list(persona.id):
            if fold(existing.term) == fold(term):
                with self.store.write() as conn:
                    conn.execute("delete from guard_terms where id = ?", (existing.id,))
                return
        raise NotFound(f"{persona.name} has no guard term {term!r}")

    def check(self, persona: Persona, text: str) -> list[Finding]:
        """What in ``text`` should stop ``persona`` from posting it: other personas' own
        terms and account handles, and this persona's blocked terms."""
        names = {p.id: p.name for p in self.store.personas.list()}
        findings: list[Finding] = []
        for term in self.list():
            mine = term.persona_id == persona.id
            applies = (term.kind == GuardKind.OWN and not mine) or (
                term.kind == GuardKind.BLOCKED and mine
            )
            if applies and contains(text, term.term):
                kind = "blocked" if term.kind == GuardKind.BLOCKED else "other"
                findings.append(Finding(kind, term.term, names.get(term.persona_id, "?")))
        for account in self.store.accounts.list():
            if account.persona_id != persona.id and contains(text, handle_key(account.handle)):
                findings.append(
                    Finding("other", account.handle, names.get(account.persona_id, "?"))
                )
        return findings
