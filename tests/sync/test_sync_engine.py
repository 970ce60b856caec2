"""One engine publishes the outbox and refreshes timelines for both the CLI and the app.
Each test drives it against the Mastodon double as a user's day would."""

from __future__ import annotations

import socket
import time

from personae.networks.base import Post, Source
from personae.networks.mastodon import MastodonNetwork
from personae.networks.posting import queue
from personae.networks.sync import Policy, SyncEngine
from personae.store import PostState


def _post(store, persona, accounts, text):
    draft = store.drafts.save(persona.id, text)
    return [store.outbox.get(i) for i in queue(store, draft, accounts)]


def _make_due(store) -> None:
    with store.write() as conn:
        conn.execute("update outbox set next_attempt = 0 where state = 'queued'")


def test_offline_everything_stays_queued_and_goes_out_once_when_the_network_returns(
    store, work, alice, double, network, engine
):
    network.down()
    entries = _post(store, work, [alice], "Written on the train")
    report = engine.run(work.id)
    assert report.offline and report.lines()[0].startswith("offline")
    entry = store.outbox.get(entries[0].id)
    assert (entry.state, entry.attempts, entry.offline) == (PostState.QUEUED, 0, True)
    assert engine.run(work.id).offline  # still offline: still queued, still not counted
    assert store.outbox.get(entries[0].id).attempts == 0

    network.up()
    report = engine.run(work.id, retry_now=True)  # a manual sync does not wait for backoff
    assert not report.offline and len(report.published) == 1
    assert store.outbox.get(entries[0].id).state == PostState.SENT
    engine.run(work.id, retry_now=True)
    assert [s["content"] for s in double.statuses("alice")] == ["<p>Written on the train</p>"]


def test_rate_limit_waits_as_long_as_the_server_asks(store, work, alice, double, engine):
    double.fault("ratelimit", path="/api/v1/statuses", headers={"Retry-After": "900"}, count=1)
    (entry,) = _post(store, work, [alice], "Hello")
    before = time.time()
    report = engine.run(work.id, refresh=False)
    waiting = store.outbox.get(entry.id)
    assert waiting.state == PostState.QUEUED and waiting.attempts == 1
    assert waiting.next_attempt >= before + 900
    assert "will retry" in report.lines()[0]
    engine.run(work.id, refresh=False)  # not due yet
    assert double.count_statuses("alice") == 0

    _make_due(store)
    engine.run(work.id, refresh=False)
    assert (
        store.outbox.get(entry.id).state == PostState.SENT and double.count_statuses("alice") == 1
    )


def test_server_errors_back_off_exponentially_with_jitter_then_give_up(store, work, alice, double):
    double.fault("status", status=503, path="/api/v1/statuses")
    engine = SyncEngine(store, Policy(base_delay=10, max_attempts=4))
    (entry,) = _post(store, work, [alice], "Will it ever go out?")
    waits = []
    for _ in range(4):
        _make_due(store)
        started = time.time()
        engine.run(work.id, refresh=False)
        current = store.outbox.get(entry.id)
        if current.state == PostState.QUEUED:
            waits.append(current.next_attempt - started)
    assert len(waits) == 3
    for attempt, wait in enumerate(waits):
        assert 10 * 2**attempt * 0.5 - 1 <= wait <= 10 * 2**attempt + 1
    gave_up = store.outbox.get(entry.id)
    assert gave_up.state == PostState.FAILED and "gave up after 4 attempts" in gave_up.last_error
    assert double.count_statuses("alice") == 0


def test_a_permanent_refusal_stops_at_once_with_the_servers_reason(
    store, work, alice, double, engine
):
    double.fault("status", status=422, path="/api/v1/statuses", count=1)
    (entry,) = _post(store, work, [alice], "Refused")
    report = engine.run(work.id, refresh=False)
    failed = store.outbox.get(entry.id)
    assert failed.state == PostState.FAILED and failed.attempts == 1 and failed.last_error
    assert report.failed and not report.retrying


def test_bad_credentials_pause_the_account_once_not_every_post(
    store, work, alice, carol, double, engine
):
    store.accounts.set_secret(alice, "revoked-token")
    posts = [_post(store, work, [alice, carol], f"Post {n}") for n in range(3)]
    report = engine.run(work.id, refresh=False)

    assert len(report.paused) == 1 and "alice" in report.paused[0]
    assert store.accounts.get(alice.id).paused
    for alice_entry, carol_entry in posts:
        held = store.outbox.get(alice_entry.id)
        assert (held.state, held.attempts) == (PostState.QUEUED, 0)  # held, not failed, not counted
        assert store.outbox.get(carol_entry.id).state == PostState.SENT  # the other account went on
    assert double.count_statuses("carol") == 3

    engine.run(work.id, refresh=False)  # a paused account is not retried
    assert double.count_statuses("alice") == 0

    store.accounts.set_secret(store.accounts.get(alice.id), double.token("alice"))
    store.accounts.resume(store.accounts.get(alice.id))
    engine.run(work.id, refresh=False)
    assert double.count_statuses("alice") == 3 and double.count_statuses("carol") == 3


def test_a_post_abandoned_mid_send_by_a_dead_process_goes_out_once(
    store, work, alice, double, engine
):
    (entry,) = _post(store, work, [alice], "Sent just before the crash")
    claimed = store.outbox.claim(entry, owner=f"{socket.gethostname()}:999999999")
    # the dead process's request reached the server before it died
    MastodonNetwork().publish(
        Source(url=alice.server, secret=double.token("alice")),
        Post(text=claimed.text, idem_key=claimed.idem_key),
    )
    assert double.count_statuses("alice") == 1

    engine.run(work.id, refresh=False)
    assert store.outbox.get(entry.id).state == PostState.SENT
    assert double.count_statuses("alice") == 1  # the same Idempotency-Key: the same status


def test_refresh_stores_the_cursor_and_never_duplicates(store, work, alice, double, engine):
    for n in range(3):
        double.post_as("bob", f"bob says {n}")
    first = engine.run(work.id, publish=False)
    assert list(first.fetched.values()) == [3]
    assert store.accounts.get(alice.id).cursor
    double.post_as("bob", "bob says 3")
    assert list(engine.run(work.id, publish=False).fetched.values()) == [1]
    texts = [item.text for item in store.timeline.newest(work.id, 10)]
    assert texts == ["bob says 3", "bob says 2", "bob says 1", "bob says 0"]


def test_a_week_old_unsent_post_fails_instead_of_surprising_anyone(
    store, work, alice, double, network
):
    engine = SyncEngine(store, Policy(max_age=3600))
    (entry,) = _post(store, work, [alice], "Stale news")
    with store.write() as conn:
        conn.execute("update outbox set created = ? where id = ?", (time.time() - 7200, entry.id))
    double.fault("status", status=503, path="/api/v1/statuses", count=1)
    engine.run(work.id, refresh=False)
    assert store.outbox.get(entry.id).state == PostState.FAILED
