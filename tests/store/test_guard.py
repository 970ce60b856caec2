"""The publish guard: another persona's terms and handles, and this persona's blocked terms,
are found whatever their case or Unicode form; words that merely contain a term are not."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from personae.store.guard import contains

FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in string.ascii_letters + string.digits + "#@"}

# Text around a term: anything that does not glue itself to the term as part of a word.
separators = st.text(alphabet=" \n\t.,;:!?()[]\"'—", min_size=1, max_size=3)
filler = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=40
)
terms = st.from_regex(r"\A#?[A-Za-z][A-Za-z0-9]{1,10}\Z")


def _variants(term: str) -> list[str]:
    return [term, term.upper(), term.lower(), term.swapcase(), "".join(FULL_WIDTH[c] for c in term)]


@settings(max_examples=300, deadline=None)
@given(
    before=filler,
    sep1=separators,
    term=terms,
    sep2=separators,
    after=filler,
    which=st.integers(0, 4),
)
def test_a_term_is_found_in_any_case_or_width_wherever_it_stands_alone(
    before, sep1, term, sep2, after, which
) -> None:
    text = before + sep1 + _variants(term)[which] + sep2 + after
    assert contains(text, term)


@settings(max_examples=200, deadline=None)
@given(term=terms, prefix=st.from_regex(r"\A[a-z]{1,5}\Z"), suffix=st.from_regex(r"\A[a-z]{1,5}\Z"))
def test_a_longer_word_that_contains_the_term_is_not_a_match(term, prefix, suffix) -> None:
    bare = term.lstrip("#")
    assert not contains(f"see {prefix}{bare}{suffix} today", bare)
    assert not contains(f"see {bare}{suffix} today", bare)


def test_examples_from_the_issue() -> None:
    for text in ("Shipping #SMT today", "shipping #smt today", "ｓｈｉｐｐｉｎｇ ＃ＳＭＴ"):
        assert contains(text, "#SMT")
    assert not contains("#SMTP relay fixed", "#SMT")
    assert contains("ping @dan.cookies!", "@dan.cookies")
    assert contains("https://acme.example/blog/launch", "acme.example")
    assert contains("Café opening", "CAFÉ") and contains("Cafe\u0301 opening", "café")


def test_other_personas_terms_and_handles_and_own_blocked_terms(store, work, family) -> None:
    store.guard.add(work, "own", "#acme")
    store.guard.add(work, "blocked", "grandma")
    store.guard.add(family, "own", "Oreo")
    store.accounts.add(family, "local", "dan.cookies", "/srv/x")

    found = store.guard.check(family, "Our #ACME launch went well, ask @dan.cookies")
    assert [(f.kind, f.term, f.persona) for f in found] == [("other", "#acme", "Work")]

    found = store.guard.check(work, "Grandma's oreo recipe, thanks @dan.cookies")
    assert {(f.kind, f.term, f.persona) for f in found} == {
        ("blocked", "grandma", "Work"),
        ("other", "Oreo", "Family"),
        ("other", "dan.cookies", "Family"),
    }
    assert store.guard.check(work, "Our #acme launch") == []  # its own term is fine
    assert "'grandma' is blocked for Work" in {str(f) for f in found}
