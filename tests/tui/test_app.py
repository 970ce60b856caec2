"""The app, driven by keyboard through Textual's Pilot against a real store."""

from __future__ import annotations

import pytest
from textual.widgets import Input
from textual.worker import Worker, WorkerState

from personae.store import Store
from personae.tui.app import PersonaeApp
from personae.tui.config import Config
from personae.tui.screens.main import MainScreen
from personae.tui.screens.modals import OtherPersonaDialog, PublishDialog, SwitcherDialog
from personae.tui.screens.unlock import UnlockScreen
from personae.tui.widgets.compose import Compose
from personae.tui.widgets.header import IdentityHeader
from personae.tui.widgets.lists import DraftList, OutboxTable
from personae.tui.widgets.timeline import TimelineView
from tests.support.screen import screen_text
from tests.tui.conftest import make_app

SIZE = (100, 30)
pytestmark = pytest.mark.anyio


def shown_persona_ids(app: PersonaeApp) -> dict[str, int | None]:
    """Which persona each part of the main screen is showing."""
    main = app.main
    assert main is not None
    header = main.query_one(IdentityHeader).identity.persona
    drafts = main.query_one(DraftList).persona
    outbox = main.query_one(OutboxTable).persona
    compose = main.query_one(Compose)
    return {
        "header": header.id if header else None,
        "timeline": main.query_one(TimelineView).persona_id,
        "drafts": drafts.id if drafts else None,
        "outbox": outbox.id if outbox else None,
        "compose": compose.owner.id if compose.owner else None,
    }


async def test_number_key_swaps_header_timeline_drafts_and_compose_together(app, demo_store):
    async with app.run_test(size=SIZE) as pilot:
        work, family = demo_store.personas.list()
        assert set(shown_persona_ids(app).values()) == {work.id}
        await pilot.press("2")
        assert set(shown_persona_ids(app).values()) == {family.id}
        text = screen_text(app)
        assert "♥ Cookie Dan" in text and "Dan @ Acme" not in text
        assert "Grandma Rose" in text  # the family timeline, not Acme's
        assert app.terminal_title == "personae — ♥ Cookie Dan"


async def test_every_frame_after_a_swap_shows_one_persona(app, demo_store):
    """Each paint is checked: the header's persona and the timeline's always agree."""
    async with app.run_test(size=SIZE) as pilot:
        frames: list[tuple[int | None, int | None]] = []
        original = app.screen._compositor.render_update

        def record(*args, **kwargs):
            ids = shown_persona_ids(app)
            frames.append((ids["header"], ids["timeline"]))
            return original(*args, **kwargs)

        app.screen._compositor.render_update = record
        for key in ("2", "1", "minus", "2"):
            await pilot.press(key)
            await pilot.pause()
        assert frames, "no frame was painted"
        assert all(header == timeline for header, timeline in frames)


async def test_minus_swaps_back_to_the_previous_persona(app, demo_store):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await pilot.press("minus")
        assert app.persona.name == "Dan @ Acme"
        await pilot.press("minus")
        assert app.persona.name == "Cookie Dan"


async def test_command_palette_offers_every_action_of_the_screen(app):
    async with app.run_test(size=SIZE):
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert {"Lock", "Refresh", "Search", "Personas", "Keys"} <= set(commands)


async def test_switcher_dialog_lists_personas_and_switches(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        assert isinstance(app.screen, SwitcherDialog)
        assert "Dan @ Acme" in screen_text(app)  # the header stays on the dialog
        await pilot.press("down", "enter")
        assert app.persona.name == "Cookie Dan"


async def test_typing_is_autosaved_within_a_second(app, demo_store):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.press(*"ship it")
        await pilot.pause(1.0)
        texts = [d.text for d in demo_store.drafts.list(app.persona.id)]
        assert "ship it" in texts


async def test_a_swap_first_saves_the_open_draft_to_its_own_persona(app, demo_store):
    async with app.run_test(size=SIZE) as pilot:
        work, family = demo_store.personas.list()
        await pilot.press("c")
        app.main.query_one(Compose).editor.insert("standup notes")
        await pilot.press("escape", "2")
        assert "standup notes" in [d.text for d in demo_store.drafts.list(work.id)]
        assert "standup notes" not in [d.text for d in demo_store.drafts.list(family.id)]
        assert app.main.query_one(Compose).editor.text == ""


async def test_publishing_asks_first_naming_persona_and_accounts(app, demo_store):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "c")
        app.main.query_one(Compose).editor.insert("Fresh #cookies at four")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, PublishDialog)
        text = screen_text(app)
        assert "Cookie Dan" in text and "publishing as" in text and "cookiedan" in text
        assert demo_store.outbox.list() == []  # nothing queued before the answer
        await pilot.press("y")
        entries = demo_store.outbox.list()
        assert [e.text for e in entries] == ["Fresh #cookies at four"]


async def test_cancelling_the_confirmation_queues_nothing(app, demo_store):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        app.main.query_one(Compose).editor.insert("not yet")
        await pilot.press("ctrl+s", "n")
        assert demo_store.outbox.list() == []
        assert isinstance(app.screen, MainScreen)


async def test_another_personas_term_needs_an_explicit_override(app, demo_store):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "c")
        app.main.query_one(Compose).editor.insert("Demo of #ProjectSMT tomorrow")
        await pilot.press("ctrl+s")
        assert "'#ProjectSMT' belongs to Dan @ Acme" in screen_text(app)
        await pilot.press("y")  # refused: no override yet
        assert demo_store.outbox.list() == []
        assert isinstance(app.screen, PublishDialog)
        await pilot.press("exclamation_mark", "y")
        assert len(demo_store.outbox.list()) == 1


async def test_a_draft_of_another_persona_asks_publish_move_or_cancel(app, demo_store):
    async with app.run_test(size=SIZE) as pilot:
        work, family = demo_store.personas.list()
        slip = next(d for d in demo_store.drafts.list(family.id) if "#ProjectSMT" in d.text)
        await pilot.press("d", "a")  # drafts of every persona
        drafts = app.main.query_one(DraftList)
        drafts.highlighted = drafts.drafts.index(next(d for d in drafts.drafts if d.id == slip.id))
        await pilot.press("enter")
        assert app.main.query_one(Compose).owner.id == family.id
        assert app.persona.id == work.id
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, OtherPersonaDialog)
        await pilot.press("n")
        assert demo_store.drafts.get(slip.id).persona_id == family.id
        await pilot.press("ctrl+s", "m")  # move it to Dan @ Acme, then confirm
        assert demo_store.drafts.get(slip.id).persona_id == work.id
        assert isinstance(app.screen, PublishDialog)
        await pilot.press("y")
        assert [e.persona_id for e in demo_store.outbox.list()] == [work.id]


async def test_idle_time_locks_drops_caches_and_asks_for_the_passphrase(demo_store):
    now = [1000.0]
    app = make_app(demo_store, config=Config(auto_lock_seconds=600), monotonic=lambda: now[0])
    async with app.run_test(size=SIZE) as pilot:
        timeline = app.main.query_one(TimelineView)
        assert timeline.decrypted_count > 0
        now[0] += 599
        app.check_auto_lock()
        assert demo_store.unlocked
        now[0] += 1
        app.check_auto_lock()
        await pilot.pause()
        assert not demo_store.unlocked
        assert isinstance(app.screen, UnlockScreen)
        assert timeline.decrypted_count == 0 and timeline.ids == []
        assert app.main.query_one(Compose).editor.text == ""
        assert "LOCKED" in screen_text(app)
        await pilot.press(*"demo", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert demo_store.unlocked and isinstance(app.screen, MainScreen)


async def test_lock_key_locks_at_once_even_while_typing(app, demo_store):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", "h", "i", "ctrl+l")
        assert not demo_store.unlocked
        assert isinstance(app.screen, UnlockScreen)


async def test_wrong_passphrase_says_so_and_keeps_the_store_locked(app, demo_store):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+l", *"wrong", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "wrong passphrase" in screen_text(app)
        assert not demo_store.unlocked


HOSTILE = "[@click=app.quit]x[/] \x1b]2;pwned\x07"


async def test_hostile_feed_title_shows_literally_and_does_nothing(app, demo_store):
    from personae.store import NewItem

    work = demo_store.personas.list()[0]
    feed = demo_store.feeds.list(work.id)[0]
    item = NewItem("hostile-1", created=1741946300.0, author=HOSTILE, title=HOSTILE, text=HOSTILE)
    demo_store.timeline.add(work.id, "feed", feed.id, [item])
    async with app.run_test(size=SIZE) as pilot:
        text = screen_text(app)
        assert "[@click=app.quit]x[/]" in text
        assert "pwned" not in text and "\x1b" not in text
        await pilot.click(TimelineView, offset=(40, 0))
        await pilot.press("enter")  # open it in full
        assert "[@click=app.quit]x[/]" in screen_text(app)
        await pilot.click(offset=(10, 5))
        await pilot.press("escape")
        assert app.is_running and app.return_code is None
        assert app.terminal_title == "personae — ■ Dan @ Acme"


async def test_published_post_arrives_in_the_timeline(app, demo_store):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "c")
        app.main.query_one(Compose).editor.insert("Warm #cookies on the porch")
        await pilot.press("ctrl+s", "y", "escape")
        app.action_publish_now()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [e.state for e in demo_store.outbox.list()] == ["sent"]
        await pilot.press("t")
        assert "Warm #cookies on the porch" in screen_text(app)


async def test_outbox_cancels_back_to_draft_within_the_send_delay(app, demo_store):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")  # Dan @ Acme: 30 s send delay
        app.main.query_one(Compose).editor.insert("Release notes are out")
        await pilot.press("ctrl+s", "y", "escape", "o")
        assert "queued" in screen_text(app) and "in 30 s" in screen_text(app)
        await pilot.press("x")
        assert demo_store.outbox.list() == []
        assert "Release notes are out" in [d.text for d in demo_store.drafts.list(app.persona.id)]


async def test_keymap_from_the_config_remaps_a_binding(demo_store):
    app = make_app(demo_store, config=Config(auto_lock_seconds=0, keymap={"lock": "f12"}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+l")
        assert demo_store.unlocked
        await pilot.press("f12")
        assert not demo_store.unlocked


async def test_deleting_a_persona_needs_its_name_typed(app, demo_store):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p", "down", "D", *"Cookie", "enter")
        assert len(demo_store.personas.list()) == 2
        await pilot.press("D", *"Cookie Dan", "enter")
        assert [p.name for p in demo_store.personas.list()] == ["Dan @ Acme"]


async def test_header_names_the_persona_in_text_without_colour(demo_store, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(demo_store)
    async with app.run_test(size=(80, 24)):
        assert app.no_color
        first_lines = screen_text(app).splitlines()[:2]
        assert "■ Dan @ Acme" in first_lines[0] and "dan@acmebox" in first_lines[0]
        assert "posts go to: dan.acme (local)" in first_lines[1]


async def test_first_run_creates_the_store_and_the_first_persona(tmp_path):
    app = make_app(None, store_dir=tmp_path / "new-store")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"long enough", "enter", *"long enough", "enter", *"Work", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.persona is not None and app.persona.name == "Work"
    reopened = Store.open(tmp_path / "new-store", "long enough")
    assert [p.name for p in reopened.personas.list()] == ["Work"]
    reopened.close()


class Recording(PersonaeApp):
    """The app, noting how each worker ended (a worker's news bubbles up to the app)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.ended: list[tuple[str, WorkerState]] = []

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state in (WorkerState.SUCCESS, WorkerState.CANCELLED, WorkerState.ERROR):
            self.ended.append((event.worker.name, event.state))


@pytest.mark.parametrize("first_run", [True, False], ids=["first run", "unlock"])
async def test_the_work_that_opens_the_store_ends_with_the_main_screen_not_cancelled(
    tmp_path, demo_store, first_run
):
    """It replaces the screen that asked for it; a worker of that screen would be
    cancelled by the replacement, and whether the app got to the main screen first was
    a race (the flaky first-run test)."""
    store_dir = tmp_path / "new-store" if first_run else demo_store.dir
    settings = {"config": Config(auto_lock_seconds=0), "user": "dan", "host": "acmebox"}
    app = Recording(store_dir, **settings)
    keys = [*"long enough", "enter", *"long enough", "enter", *"Work", "enter"]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*(keys if first_run else [*"demo", "enter"]))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert app.persona is not None
        assert app.ended and all(state == WorkerState.SUCCESS for _, state in app.ended)


async def test_unlock_screen_never_echoes_the_passphrase(tmp_path, demo_store):
    app = make_app(None, store_dir=demo_store.dir)
    async with app.run_test(size=SIZE) as pilot:
        assert app.screen.query_one(Input).password
        await pilot.press(*"secret-words")
        assert "secret-words" not in screen_text(app)


async def test_a_huge_timeline_opens_and_pages_decrypting_only_what_is_drawn(tmp_path):
    """100,000 items: the newest page shows at once, each page down shows the next items,
    and only the rows drawn are decrypted (how fast is measured in benchmarks/tui.py)."""
    from personae.store import KdfParams, NewItem

    count = 100_000
    store = Store.create(tmp_path / "big", "passphrase", kdf=KdfParams.cheap())
    persona = store.personas.add("Big")
    feed = store.feeds.add(persona, "https://example.org/feed")
    items = (NewItem(f"id-{n}", created=float(n), title=f"item {n}") for n in range(count))
    store.timeline.add(persona.id, "feed", feed.id, items)
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        assert f"{count:,} items".replace(",", "") in screen_text(app).replace(",", "")
        assert "item 99999 " in screen_text(app)
        await pilot.press(*["pagedown"] * 20)
        timeline = app.main.timeline
        shown = screen_text(app)
        assert f"item {count - 1 - timeline.cursor} " in shown
        assert "item 99999 " not in shown
        assert timeline.decrypted_count < 600  # a few screens' worth, never the whole store
    store.close()
