"""Personas: unique names, switch keys 1–9, colours and glyphs, and deletion of all they own."""

from __future__ import annotations

import pytest

from personae.store import Conflict, Invalid, NewItem, NotFound


def test_personas_take_the_next_free_switch_key(store) -> None:
    names = [f"P{n}" for n in range(10)]
    positions = [store.personas.add(name).position for name in names]
    assert positions == [1, 2, 3, 4, 5, 6, 7, 8, 9, None]


def test_names_are_unique_ignoring_case_and_width(store, work) -> None:
    with pytest.raises(Conflict):
        store.personas.add("ＷＯＲＫ")
    assert store.personas.find("work").id == work.id


def test_an_unknown_persona_names_the_ones_there_are(store, work, family) -> None:
    with pytest.raises(NotFound, match="Work, Family"):
        store.personas.find("Nobody")


def test_moving_a_persona_to_a_taken_key_swaps_the_two(store, work, family) -> None:
    store.personas.move(family, 1)
    assert store.personas.get(family.id).position == 1
    assert store.personas.get(work.id).position == 2
    assert [p.name for p in store.personas.list()] == ["Family", "Work"]


def test_colours_glyphs_and_delays_are_checked(store, work) -> None:
    assert store.personas.set_colour(work, "#00AA88").colour == "#00aa88"
    assert store.personas.set_glyph(work, "🍪").glyph == "🍪"
    for bad in (
        lambda: store.personas.set_colour(work, "rainbow"),
        lambda: store.personas.set_glyph(work, "ab"),
        lambda: store.personas.set_send_delay(work, -1),
        lambda: store.personas.add("  "),
    ):
        with pytest.raises(Invalid):
            bad()


def test_renaming_keeps_everything_else(store, work, family) -> None:
    renamed = store.personas.rename(work, "Acme engineer")
    assert (renamed.id, renamed.colour, renamed.position) == (work.id, work.colour, 1)
    with pytest.raises(Conflict):
        store.personas.rename(renamed, "family")


def test_removing_a_persona_removes_everything_it_owns(store, work, family) -> None:
    account = store.accounts.add(family, "local", "fam", "/srv/x", "")
    feed = store.feeds.add(family, "https://cookies.example/feed")
    store.timeline.add(family.id, "feed", feed.id, [NewItem(remote_id="1", created=1)])
    draft = store.drafts.save(family.id, "recipe", [account.id])
    store.outbox.enqueue(draft, [account])
    store.guard.add(family, "own", "#cookies")
    store.drafts.save(work.id, "stays")

    store.personas.remove(family)
    for table in ("accounts", "feeds", "items", "drafts", "outbox", "guard_terms", "personas"):
        left = store.conn.execute(
            f"select count(*) from {table} where {'id' if table == 'personas' else 'persona_id'}"
            " = ?",
            (family.id,),
        ).fetchone()[0]
        assert left == 0, table
    assert [d.text for d in store.drafts.list(work.id)] == ["stays"]
