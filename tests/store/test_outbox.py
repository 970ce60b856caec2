"""The outbox's state machine per (post, account): queued → sending → sent | failed."""

from __future__ import annotations

import time

import pytest

from personae.store import Conflict, NewItem, NotFound, PostState, SourceKind


@pytest.fixture
def accounts(store, work):
    return [
        store.accounts.add(work, "local", "dan@acme", "/srv/a"),
        store.accounts.add(work, "local", "dan@oss", "/srv/b"),
    ]


def _queue(store, persona, accounts, text="Release 2.0 is out", delay=0):
    draft = store.drafts.save(persona.id, text)
    return draft, [store.outbox.get(i) for i in store.outbox.enqueue(draft, accounts, delay)]


def test_a_post_to_two_accounts_is_two_entries_with_their_own_idempotency_keys(
    store, work, accounts
):
    draft, entries = _queue(store, work, accounts)
    assert [(e.account_id, e.state, e.attempts) for e in entries] == [
        (accounts[0].id, PostState.QUEUED, 0),
        (accounts[1].id, PostState.QUEUED, 0),
    ]
    assert len({e.idem_key for e in entries}) == 2 and all(len(e.idem_key) >= 20 for e in entries)
    assert store.drafts.get(draft.id).state == "queued"
    assert store.drafts.list(work.id) == []  # no longer among the editable drafts


def test_claim_is_exclusive_and_stores_network_details_once(store, work, accounts):
    _, (entry, _) = _queue(store, work, accounts)
    assert entry.details is None and entry.owner == ""  # nothing chosen before the first claim
    claimed = store.outbox.claim(entry, {"rkey": "3kabc"}, owner="host:1")
    assert claimed.state == PostState.SENDING and claimed.attempts == 1
    assert (claimed.details, claimed.owner) == ({"rkey": "3kabc"}, "host:1")
    assert store.outbox.claim(entry, {"rkey": "other"}, owner="host:2") is None

    # a claim whose owner died can be taken over; the details chosen first stay
    taken = store.outbox.claim(claimed, {"rkey": "other"}, owner="host:3", take_over=True)
    assert (taken.details, taken.owner) == ({"rkey": "3kabc"}, "host:3")


def test_sent_when_every_account_has_it(store, work, accounts):
    draft, entries = _queue(store, work, accounts)
    first = store.outbox.claim(entries[0], owner="me")
    store.outbox.mark_sent(first, "at://did/post/1")
    assert store.drafts.get(draft.id).state == "queued"
    second = store.outbox.claim(entries[1], owner="me")
    store.outbox.mark_sent(second, "at://did/post/2")
    assert store.drafts.get(draft.id).state == "sent"
    assert store.outbox.get(first.id).remote_id == "at://did/post/1"


def test_one_account_failing_leaves_the_other_sent(store, work, accounts):
    _, entries = _queue(store, work, accounts)
    store.outbox.mark_sent(store.outbox.claim(entries[0], owner="me"), "remote-1")
    store.outbox.mark_failed(store.outbox.claim(entries[1], owner="me"), "too long for dan@oss")
    states = {e.account_id: (e.state, e.last_error) for e in store.outbox.list()}
    assert states == {
        accounts[0].id: (PostState.SENT, ""),
        accounts[1].id: (PostState.FAILED, "too long for dan@oss"),
    }
    store.outbox.retry(store.outbox.get(entries[1].id))
    assert [e.id for e in store.outbox.pending()] == [entries[1].id]  # the sent one stays sent


def test_unreachable_attempts_do_not_count_against_the_budget(store, work, accounts):
    _, (entry, _) = _queue(store, work, accounts)
    later = time.time() + 60
    store.outbox.retry_later(
        store.outbox.claim(entry, owner="me"), "no route", later, reached_server=False
    )
    offline = store.outbox.get(entry.id)
    assert (offline.state, offline.attempts, offline.offline) == (
        PostState.QUEUED,
        0,
        True,
    )
    assert offline.next_attempt == pytest.approx(later)

    with store.write() as conn:
        conn.execute("update outbox set next_attempt = 0 where id = ?", (entry.id,))
    store.outbox.retry_later(store.outbox.claim(offline, owner="me"), "503", later)
    counted = store.outbox.get(entry.id)
    assert (counted.attempts, counted.offline, counted.last_error) == (1, False, "503")


def test_cancel_within_the_send_delay_gives_the_draft_back(store, work, accounts):
    draft, entries = _queue(store, work, accounts, delay=60)
    assert all(e.next_attempt > time.time() + 50 for e in entries)
    back = store.outbox.cancel(entries[1])
    assert back.id == draft.id and back.state == "draft" and back.text == "Release 2.0 is out"
    assert store.outbox.list() == []
    assert [d.id for d in store.drafts.list(work.id)] == [draft.id]


def test_cancel_is_refused_once_anything_may_have_reached_a_network(store, work, accounts):
    _, entries = _queue(store, work, accounts)
    store.outbox.retry_later(store.outbox.claim(entries[0], owner="me"), "timeout", time.time())
    with pytest.raises(Conflict, match="may have been published"):
        store.outbox.cancel(entries[1])
    store.outbox.mark_sent(store.outbox.claim(store.outbox.get(entries[0].id), owner="me"), "r")
    with pytest.raises(Conflict, match="too late"):
        store.outbox.cancel(entries[1])


def test_a_post_only_goes_to_its_own_personas_accounts(store, work, family, accounts):
    cookies = store.drafts.save(family.id, "Cookies!")
    with pytest.raises(Conflict):
        store.outbox.enqueue(cookies, accounts)
    draft, _ = _queue(store, work, accounts[:1])
    with pytest.raises(Conflict):  # queued twice
        store.outbox.enqueue(store.drafts.get(draft.id), accounts[:1])


# -- removing an account settles its queued posts (issue 9, item 8) ----------------------


def test_removing_an_account_puts_its_queued_post_back_in_drafts(store, work, accounts):
    draft, _ = _queue(store, work, accounts[:1], text="Only to dan@acme")
    store.timeline.add(work.id, SourceKind.ACCOUNT, accounts[0].id, [NewItem("s1", 1)])
    store.timeline.add(work.id, SourceKind.ACCOUNT, accounts[1].id, [NewItem("s2", 2)])
    store.accounts.remove(accounts[0])
    assert [i.remote_id for i in store.timeline.iterate(work.id)] == ["s2"]  # what it fetched
    back = store.drafts.get(draft.id)
    assert (back.state, back.text, back.targets) == (PostState.DRAFT, "Only to dan@acme", ())
    assert store.outbox.list() == []
    assert [d.id for d in store.drafts.list(work.id)] == [draft.id]


def test_removing_one_account_leaves_the_posts_to_the_other_queued(store, work, accounts):
    draft = store.drafts.save(work.id, "To both", [a.id for a in accounts])
    store.outbox.enqueue(draft, accounts, delay=60)
    store.accounts.remove(accounts[0])
    kept = store.drafts.get(draft.id)
    assert (kept.state, kept.targets) == (PostState.QUEUED, (accounts[1].id,))
    assert [(e.account_id, e.state) for e in store.outbox.list()] == [
        (accounts[1].id, PostState.QUEUED)
    ]


def test_removing_an_account_keeps_drafts_that_went_out_through_the_other(store, work, accounts):
    draft = store.drafts.save(work.id, "Sent to one", [a.id for a in accounts])
    first, second = store.outbox.enqueue(draft, accounts)
    store.outbox.mark_sent(store.outbox.claim(store.outbox.get(second), owner="me"), "r-2")
    store.accounts.remove(accounts[0])  # its entry was still queued
    assert store.drafts.get(draft.id).state == PostState.SENT
    assert store.drafts.get(draft.id).targets == (accounts[1].id,)
    with pytest.raises(NotFound):
        store.outbox.get(first)


def test_removing_an_account_also_drops_it_from_unqueued_drafts(store, work, accounts):
    draft = store.drafts.save(work.id, "Not queued yet", [a.id for a in accounts])
    store.accounts.remove(accounts[1])
    assert store.drafts.get(draft.id).targets == (accounts[0].id,)
