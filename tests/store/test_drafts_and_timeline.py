"""Drafts autosave under their persona; the timeline deduplicates and pages newest first."""

from __future__ import annotations

import pytest

from personae.store import Conflict, NewItem


def test_autosave_overwrites_the_same_draft(store, work) -> None:
    draft = store.drafts.save(work.id, "Hel")
    again = store.drafts.save(work.id, "Hello team", draft_id=draft.id)
    assert again.id == draft.id and again.updated >= draft.updated
    assert [d.text for d in store.drafts.list(work.id)] == ["Hello team"]


def test_a_draft_cannot_be_saved_under_another_persona(store, work, family) -> None:
    draft = store.drafts.save(work.id, "work")
    with pytest.raises(Conflict):
        store.drafts.save(family.id, "sneaky", draft_id=draft.id)


def test_moving_a_draft_reseals_it_for_the_other_persona(store, work, family) -> None:
    draft = store.drafts.save(work.id, "cookies on saturday!")
    moved = store.drafts.move(draft, family)
    assert moved.persona_id == family.id and moved.text == "cookies on saturday!"
    assert moved.targets == ()
    assert store.drafts.list(work.id) == []


def test_timeline_items_from_one_source_are_stored_once(store, family) -> None:
    batch = [NewItem(remote_id=f"guid-{n}", created=100 + n, text=f"t{n}") for n in range(5)]
    assert store.timeline.add(family.id, "feed", 1, batch) == 5
    assert store.timeline.add(family.id, "feed", 1, [*batch, NewItem("guid-9", 200)]) == 1
    assert store.timeline.add(family.id, "feed", 2, batch[:1]) == 1  # another source


def test_the_timeline_is_newest_first_with_unread_marks(store, family) -> None:
    store.timeline.add(family.id, "feed", 1, [NewItem(f"g{n}", created=n) for n in range(4)])
    ids = [item_id for item_id, _ in store.timeline.index(family.id)]
    store.timeline.mark_read(ids[:1])
    assert [i.remote_id for i in store.timeline.newest(family.id, 2)] == ["g3", "g2"]
    assert store.timeline.index(family.id)[0] == (ids[0], True)
    assert store.timeline.count(family.id, unread_only=True) == 3
    loaded = store.timeline.load(ids[2:])
    assert sorted(i.remote_id for i in loaded.values()) == ["g0", "g1"]


def test_timelines_of_two_personas_never_mix(store, work, family) -> None:
    store.timeline.add(work.id, "feed", 1, [NewItem("w", 1, text="release notes")])
    store.timeline.add(family.id, "feed", 2, [NewItem("f", 2, text="cookie photo")])
    assert [i.text for i in store.timeline.iterate(work.id)] == ["release notes"]
    assert [i.text for i in store.timeline.iterate(family.id)] == ["cookie photo"]
