"""Values are sealed so that they open only in their own table, row, column and persona."""

from __future__ import annotations

import os

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from personae.store.crypto import PersonaCipher, new_key
from personae.store.errors import TamperedValue

ids = st.integers(min_value=1, max_value=2**62)
tables = st.sampled_from(["personas", "accounts", "feeds", "items", "drafts", "outbox"])


@given(text=st.text(), row=ids, table=tables)
def test_any_text_round_trips(text: str, row: int, table: str) -> None:
    cipher = PersonaCipher(new_key(), persona_id=3)
    sealed = cipher.seal(table, row, "text", text)
    assert cipher.text(table, row, "text", sealed) == text


@given(text=st.text(min_size=1), row=ids, other=ids)
def test_a_value_moved_to_another_row_fails(text: str, row: int, other: int) -> None:
    assume(other != row)
    cipher = PersonaCipher(new_key(), persona_id=1)
    sealed = cipher.seal("drafts", row, "text", text)
    with pytest.raises(TamperedValue):
        cipher.unseal("drafts", other, "text", sealed)


def test_a_value_moved_to_another_column_or_table_fails() -> None:
    cipher = PersonaCipher(new_key(), persona_id=1)
    sealed = cipher.seal("accounts", 7, "handle", "alice.test")
    with pytest.raises(TamperedValue):
        cipher.unseal("accounts", 7, "secret", sealed)
    with pytest.raises(TamperedValue):
        cipher.unseal("feeds", 7, "handle", sealed)


def test_a_value_moved_to_another_persona_fails_even_under_the_same_key() -> None:
    key = new_key()
    sealed = PersonaCipher(key, persona_id=1).seal("drafts", 5, "text", "family cookies")
    with pytest.raises(TamperedValue):
        PersonaCipher(key, persona_id=2).unseal("drafts", 5, "text", sealed)


@given(flip=st.integers(min_value=0, max_value=10_000))
def test_any_changed_byte_is_detected(flip: int) -> None:
    cipher = PersonaCipher(new_key(), persona_id=1)
    sealed = bytearray(cipher.seal("items", 1, "body", "a post"))
    sealed[flip % len(sealed)] ^= 0x01
    with pytest.raises(TamperedValue):
        cipher.unseal("items", 1, "body", bytes(sealed))


def test_each_sealing_uses_a_fresh_nonce() -> None:
    cipher = PersonaCipher(new_key(), persona_id=1)
    first, second = (cipher.seal("drafts", 1, "text", "same") for _ in range(2))
    assert first[:12] != second[:12] and first != second


def test_lookup_tags_match_equal_inputs_and_differ_between_personas() -> None:
    key = os.urandom(32)
    one, two = PersonaCipher(key, 1), PersonaCipher(new_key(), 2)
    assert one.tag("feed", 1, "guid-1") == one.tag("feed", 1, "guid-1")
    assert one.tag("feed", 1, "guid-1") != one.tag("feed", 1, "guid-2")
    assert one.tag("feed", 1, "guid-1") != two.tag("feed", 1, "guid-1")
