"""Drafts autosave under their persona; the timeline deduplicates and pages newest first."""

from __future__ import annotations

import pytest

from personae.store import MAX_DRAFT_CHARS, Conflict, FeedState, Invalid, NewItem, SourceKind


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


def test_a_draft_at_the_limit_is_kept_and_one_character_more_is_refused(store, work) -> None:
    at_limit = store.drafts.save(work.id, "x" * MAX_DRAFT_CHARS)
    assert len(store.drafts.get(at_limit.id).text) == MAX_DRAFT_CHARS == 100_000
    with pytest.raises(Invalid) as refused:
        store.drafts.save(work.id, "y" * (MAX_DRAFT_CHARS + 1))
    assert str(refused.value) == ("a draft is at most 100,000 characters; this one has 100,001")
    with pytest.raises(Invalid):  # an autosave that grows past the limit changes nothing
        store.drafts.save(work.id, "z" * (MAX_DRAFT_CHARS + 1), draft_id=at_limit.id)
    assert [len(d.text) for d in store.drafts.list(work.id)] == [MAX_DRAFT_CHARS]


def test_drafts_are_saved_without_escape_sequences_or_control_characters(store, work) -> None:
    scripted = "x \x1b]0;TITLE\x07 \x1b]52;c;aGk=\x07 \x1b[2J\x1b[Hdone\r\x00\nline two\tend"
    draft = store.drafts.save(work.id, scripted)
    assert draft.text == "x   done\nline two\tend"
    assert store.drafts.list(work.id)[0].text == "x   done\nline two\tend"


def test_removing_a_draft_removes_its_sent_history(store, work) -> None:
    account = store.accounts.add(work, "local", "dan@acme", "/srv/a")
    draft = store.drafts.save(work.id, "posted", [account.id])
    (entry,) = store.outbox.enqueue(draft, [account])
    store.outbox.mark_sent(store.outbox.claim(store.outbox.get(entry), owner="me"), "r")
    store.drafts.remove(store.drafts.get(draft.id))
    assert store.outbox.list() == []


def test_removing_a_feed_removes_the_items_it_brought(store, family) -> None:
    feed = store.feeds.add(family, "https://cookies.example/feed.xml")
    other = store.feeds.add(family, "https://other.example/feed.xml")
    store.timeline.add(family.id, SourceKind.FEED, feed.id, [NewItem("a", 1, text="gone")])
    store.timeline.add(family.id, SourceKind.FEED, other.id, [NewItem("b", 2, text="kept")])
    store.feeds.remove(feed)
    assert [i.text for i in store.timeline.iterate(family.id)] == ["kept"]


def test_a_feed_gone_410_is_enabled_again(store, family) -> None:
    feed = store.feeds.record_fetch(store.feeds.add(family, "https://x.example/f"), gone=True)
    assert feed.state == FeedState.GONE
    assert store.feeds.enable(feed).state == FeedState.ACTIVE
