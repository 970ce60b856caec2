"""The publish guard: another persona's terms and handles, and this persona's blocked terms,
are found whatever their case or Unicode form; words that merely contain a term are not."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from personae.store import GuardDamaged, GuardKind
from personae.store.confusables import contains
from tests.store.damage import corrupt, force_null

FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in string.ascii_letters + string.digits + "#@"}

# Text around a term: anything that does not glue itself to the term as part of a word.
separators = st.text(alphabet=" \n\t.,;:!?()[]\"'—", min_size=1, max_size=3)
filler = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=40
)
terms = st.from_regex(r"\A#?[A-Za-z][A-Za-z0-9]{1,10}\Z")
# Letters and their look-alikes in other scripts (Cyrillic, Greek, Latin small capitals).
HOMOGLYPHS = {
    "a": "а",
    "c": "с",
    "e": "е",
    "o": "о",
    "p": "р",
    "x": "х",
    "y": "у",
    "i": "і",
    "A": "Α",
    "B": "В",
    "E": "Ε",
    "H": "Н",
    "K": "Κ",
    "M": "М",
    "O": "Ο",
    "T": "Т",
}
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\ufe0f"]


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
    assert [(f.kind, f.term, f.persona) for f in found] == [(GuardKind.OWN, "#acme", "Work")]

    found = store.guard.check(work, "Grandma's oreo recipe, thanks @dan.cookies")
    assert {(f.kind, f.term, f.persona) for f in found} == {
        (GuardKind.BLOCKED, "grandma", "Work"),
        (GuardKind.OWN, "Oreo", "Family"),
        (GuardKind.OWN, "dan.cookies", "Family"),
    }
    assert store.guard.check(work, "Our #acme launch") == []  # its own term is fine
    assert "'grandma' is blocked for Work" in {str(f) for f in found}


# -- look-alikes (issue 9, item 3) ---------------------------------------------------------

LOOK_ALIKES = {
    "Cyrillic capitals": "Proud of the #АСМЕ team",
    "Cyrillic small letters": "Proud of the #аcmе team",
    "Greek capitals": "Proud of the #ΑCΜΕ team",
    "full width": "Proud of the ＃ＡＣＭＥ team",
    "mixed scripts": "Proud of the #AСmΕ team",
    "zero-width space inside": "Proud of the #ac\u200bme team",
    "joiner and bidi mark inside": "Proud of the #a\u200dc\u200em\u2060e team",
    "digits for letters": "Proud of the #acm3 team".replace("3", "е"),
}


@pytest.mark.parametrize("text", LOOK_ALIKES.values(), ids=LOOK_ALIKES.keys())
def test_a_term_written_in_look_alike_letters_is_caught(store, work, family, text) -> None:
    store.guard.add(work, "own", "#acme")
    [finding] = store.guard.check(family, text)
    assert (finding.term, finding.persona) == ("#acme", "Work")


def test_the_finding_names_the_term_the_post_resembles(store, work, family) -> None:
    store.guard.add(work, "own", "#acme")
    store.guard.add(family, "blocked", "layoffs")
    found = store.guard.check(family, "Proud of the #АСМЕ team, no LАYOFFS")
    assert [str(f) for f in found] == [
        "'#АСМЕ' looks like '#acme', which belongs to Work",
        "'LАYOFFS' looks like 'layoffs', which is blocked for Family",
    ]
    assert [str(f) for f in store.guard.check(family, "Go #ACME")] == ["'#acme' belongs to Work"]


def test_invisible_characters_inside_a_term_do_not_hide_it(store, work, family) -> None:
    term = store.guard.add(work, "own", "#ac\u200bme")
    assert term.term == "#acme"  # stored without them
    assert contains("Proud of the #acme team", "#ac\u200bme")
    assert store.guard.check(family, "Proud of the #a\ufeffcme team")


@settings(max_examples=200, deadline=None)
@given(
    term=terms,
    swaps=st.lists(st.sampled_from(sorted(HOMOGLYPHS)), max_size=4),
    invisible=st.lists(st.sampled_from(INVISIBLE), max_size=3),
    sep=separators,
)
def test_any_mix_of_look_alikes_and_invisible_characters_is_still_the_term(
    term, swaps, invisible, sep
) -> None:
    disguised = "".join(HOMOGLYPHS.get(c, c) if c in swaps else c for c in term)
    for mark in invisible:
        at = len(disguised) // 2
        disguised = disguised[:at] + mark + disguised[at:]
    assert contains(f"about{sep}{disguised}{sep}today", term)


@settings(max_examples=200, deadline=None)
@given(term=terms, suffix=st.sampled_from(["ology", "s", "2", "_x", "ΟΓΥ", "\u0301x"]))
def test_a_look_alike_glued_to_a_longer_word_is_not_a_match(term, suffix) -> None:
    disguised = "".join(HOMOGLYPHS.get(c, c) for c in term)
    assert not contains(f"see {disguised}{suffix} today", term)
    assert not contains(f"see {term}{suffix} today", term)


def test_examples_of_word_boundaries_from_the_issue() -> None:
    assert not contains("the #acmeology club", "#acme")
    assert not contains("the #АСМЕology club", "#acme")
    assert contains("the #acme, club", "#acme") and contains("(#acme)", "#acme")
    assert contains("#acme—great", "#acme") and contains("“#acme”", "#acme")


# -- a guard that cannot read itself refuses (issue 9, item 4) ----------------------------


def test_a_guard_term_flipped_from_blocked_to_own_on_disk_refuses_every_check(
    store, work, family
) -> None:
    blocked = store.guard.add(work, "blocked", "layoffs")
    store.conn.execute("update guard_terms set kind = 'own' where id = ?", (blocked.id,))
    with pytest.raises(GuardDamaged, match="guard term 1 of Work failed authentication"):
        store.guard.check(work, "No layoffs this year")
    with pytest.raises(GuardDamaged):
        store.guard.check(family, "Cookies!")  # any persona: the guard is not whole


@pytest.mark.parametrize("damage", ["null", "bitflip", "unknown kind"])
def test_a_damaged_guard_term_is_never_skipped_silently(store, work, family, damage) -> None:
    store.guard.add(work, "own", "#acme")
    term = store.guard.add(family, "own", "Oreo")
    if damage == "null":
        force_null(store, "guard_terms", "term", term.id)
    elif damage == "bitflip":
        corrupt(store, "guard_terms", "term", term.id)
    else:
        store.conn.execute("update guard_terms set kind = 'ignored' where id = ?", (term.id,))
    with pytest.raises(GuardDamaged) as refused:
        store.guard.check(work, "Grandma's oreo recipe")
    assert "of Family" in str(refused.value) and "nothing is queued" in str(refused.value)
    assert [t.term for t in store.guard.list()] == ["#acme"]  # listing still shows the rest


def test_a_damaged_account_handle_also_refuses_and_its_persona_is_named(
    store, work, family
) -> None:
    account = store.accounts.add(family, "local", "dan.cookies", "/srv/x")
    store.conn.execute("update accounts set verified = 0 where id = ?", (account.id,))
    with pytest.raises(GuardDamaged, match="account 1 of Family"):
        store.guard.check(work, "hello")


def test_a_persona_whose_name_is_damaged_is_named_by_its_number(store, work, family) -> None:
    oreo = store.guard.add(family, "own", "Oreo")
    corrupt(store, "guard_terms", "term", oreo.id)
    corrupt(store, "personas", "name", family.id)
    with pytest.raises(GuardDamaged, match=f"of persona {family.id} failed"):
        store.guard.check(work, "hello")


def test_removing_what_is_damaged_makes_the_guard_work_again(store, work, family) -> None:
    store.guard.add(work, "own", "#acme")
    oreo = store.guard.add(family, "own", "Oreo")
    force_null(store, "guard_terms", "term", oreo.id)
    [removed] = store.guard.remove_damaged()
    assert (removed.table, removed.row) == ("guard_terms", oreo.id)
    assert [f.term for f in store.guard.check(family, "#acme!")] == ["#acme"]


# -- handles are guard terms once verified (issue 9, item 18) -----------------------------


def test_an_unverified_handle_is_not_a_guard_term_until_verified(store, work, family) -> None:
    account = store.accounts.add(family, "mastodon", "me", "https://social.example", verified=False)
    assert store.guard.check(work, "tell me about it") == []
    verified = store.accounts.mark_verified(account)
    assert verified.verified and verified.handle == "me"
    assert [f.term for f in store.guard.check(work, "tell me about it")] == ["me"]
