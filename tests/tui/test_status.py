"""The view bar and notifications: counts that follow the user's keys, and nothing of
another persona's accounts or text while a persona is active."""

from __future__ import annotations

import pytest

from personae.networks.posting import queue
from personae.networks.sync import SyncReport
from personae.store import Store
from personae.tui.background import Outcome, progress_line, shown
from tests.support.screen import screen_text, toasts

pytestmark = pytest.mark.anyio
SIZE = (100, 30)


def viewbar(app) -> str:
    return screen_text(app).splitlines()[2]


async def test_m_updates_the_unread_count_at_once(app):
    async with app.run_test(size=SIZE) as pilot:
        assert "13 items, 13 unread" in viewbar(app)
        await pilot.press("m")
        assert "13 items, 12 unread" in viewbar(app)
        await pilot.press("m")
        assert "13 items, 13 unread" in viewbar(app)
        await pilot.press("enter", "escape")  # opening an item reads it
        assert "13 items, 12 unread" in viewbar(app)


async def test_the_search_status_says_its_count_once(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"kernel", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        bar = viewbar(app)
        assert "1 found for 'kernel' · esc ends the search" in bar
        assert bar.count("1") == 1 and bar.count("found") == 1
        await pilot.press("escape")
        assert "search" not in viewbar(app)


def queue_for_family(store: Store, text: str) -> None:
    family = store.personas.list()[1]
    accounts = store.accounts.list(family.id)
    draft = store.drafts.save(family.id, text, [a.id for a in accounts])
    queue(store, draft, accounts)  # Cookie Dan has no send delay: due at once


async def test_another_personas_post_going_out_is_only_counted_on_screen(app, demo_store):
    queue_for_family(demo_store, "Grandma's secret recipe, finally")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        main = app.main
        said: list[str] = []
        show = main.status
        main.status = lambda message: (said.append(message), show(message))[1]
        app.action_publish_now()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [e.state for e in demo_store.outbox.list()] == ["sent"]
        seen = [*said, *toasts(app), screen_text(app)]
        assert not any("cookiedan" in text or "Grandma" in text for text in seen), seen
        assert "1 post of another persona sent" in toasts(app)
        assert app.persona.name == "Dan @ Acme"


async def test_the_active_personas_post_is_named_in_full(app, demo_store):
    queue_for_family(demo_store, "Cookies at four")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("2")
        app.action_publish_now()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("published post" in t and "cookiedan" in t for t in toasts(app))


def report(**lines: list[str]) -> SyncReport:
    made = SyncReport(reached=1)
    for kind, values in lines.items():
        getattr(made, kind).extend(values)
    return made


def test_outcomes_of_other_personas_are_counts_without_names():
    outcome = Outcome()
    outcome.add(1, report(published=["post 4 to dan.acme"]))
    outcome.add(2, report(published=["post 5 to fam", "post 6 to fam"]))
    outcome.add(2, report(failed=["post 7 to fam: rejected"], paused=["fam: bad token"]))
    notes = [note for note, _ in shown(outcome, active_id=1).notes]
    assert notes == [
        "published post 4 to dan.acme",
        "2 posts of another persona sent",
        "1 post of another persona failed (switch to it to see why)",
        "an account of another persona is paused (switch to it)",
    ]
    assert not any("fam" in note for note in notes)


def test_progress_names_accounts_only_for_the_active_persona():
    assert progress_line(1, 1, "publishing post 4 to dan.acme") == "publishing post 4 to dan.acme"
    assert progress_line(2, 1, "publishing post 5 to fam") == (
        "publishing a post of another persona…"
    )
