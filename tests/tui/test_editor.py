"""The editor and the drafts list: hostile text never reaches the terminal, the list opens
what is selected, and ``c`` always writes as the active persona."""

from __future__ import annotations

import pytest
from textual import events

from personae.store import Store
from personae.tui.screens.modals import PromptDialog
from tests.support.screen import screen_text
from tests.tui.conftest import make_app

pytestmark = pytest.mark.anyio
SIZE = (100, 30)
# What `printf 'x \033]0;TITLE\007 \033]52;c;…\007 \033[2J y' | personae draft P -` saves:
# a new title, the clipboard, a cleared screen.
HOSTILE = "x \x1b]0;TITLE\x07 \x1b]52;c;cHduZWQ=\x07 \x1b[2J\x1b[H\x9b2J y\tz\nsecond line"


def drawn_controls(app) -> set[str]:
    """Control characters in what the app would write for the screen (none are expected:
    Textual adds its own escapes when it encodes the segments, not in them)."""
    text = "".join(seg.text for strip in app.screen._compositor.render_strips() for seg in strip)
    return {char for char in text if not char.isprintable()}


def newest_draft(store: Store, persona_id: int, text: str) -> int:
    return store.drafts.save(persona_id, text, [a.id for a in store.accounts.list(persona_id)]).id


async def test_a_draft_a_script_saved_with_escapes_opens_without_them(app, demo_store):
    work = demo_store.personas.list()[0]
    newest_draft(demo_store, work.id, HOSTILE)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d", "enter")
        editor = app.main.editor
        assert editor.text == "x    y\tz\nsecond line"
        assert "TITLE" not in screen_text(app) and "cHduZWQ" not in screen_text(app)
        assert drawn_controls(app) == set()
        assert app.terminal_title == "personae — ■ Dan @ Acme"


async def test_pasted_escapes_are_removed_in_the_editor_and_in_prompts(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        app.post_message(events.Paste("a\x1b]52;c;cHduZWQ=\x07b\x1b[2J\nc"))  # as a terminal does
        await pilot.pause()
        assert app.main.editor.text == "ab\nc"
        await pilot.press("escape", "slash")
        assert isinstance(app.screen, PromptDialog)
        app.post_message(events.Paste("cook\x1b[31mies\x07"))
        await pilot.pause()
        assert app.screen.query_one("#prompt").value == "cookies"
        assert drawn_controls(app) == set()


async def test_the_drafts_list_selects_the_newest_and_enter_opens_it(app, demo_store):
    work = demo_store.personas.list()[0]
    newest_draft(demo_store, work.id, "the newest draft")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d", "enter")
        assert app.main.editor.text == "the newest draft"
        assert "draft" in screen_text(app) and app.main.view == "compose"


async def test_up_at_the_top_of_the_drafts_stays_on_the_first(app, demo_store):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d", "a", "up", "up", "enter")  # every persona's: three drafts
        assert app.main.editor.text.startswith("Can't wait to show everyone")  # the newest
        await pilot.press("escape", "d", "down", "down", "down", "down", "enter")
        assert app.main.editor.text.startswith("Slides for the #ProjectSMT")  # the oldest


async def test_c_writes_a_new_draft_as_the_active_persona_after_anothers_was_open(app, demo_store):
    work, family = demo_store.personas.list()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d", "a", "enter")  # Cookie Dan's slip, while Dan @ Acme is active
        assert app.main.editor.owner.id == family.id
        await pilot.press("escape", "t", "c")
        editor = app.main.editor
        assert editor.text == "" and editor.owner.id == work.id
        assert "new draft of ■ Dan @ Acme" in screen_text(app)
        slip = [d.text for d in demo_store.drafts.list(family.id)]
        assert any(text.startswith("Can't wait") for text in slip)  # left as it was


@pytest.mark.parametrize("width", [80, 140])
async def test_the_other_persona_warning_spans_the_editor(demo_store, width):
    app = make_app(demo_store)
    async with app.run_test(size=(width, 30)) as pilot:
        await pilot.press("d", "a", "enter")
        (line,) = [row for row in screen_text(app).splitlines() if "another persona" in row]
        assert line.startswith(" ♥ Cookie Dan")
        assert line.rstrip().endswith("of another persona") and len(line.rstrip()) == width - 1


async def test_a_persona_deleted_with_its_draft_open_leaves_no_error(app, demo_store):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("2", "c", *"unsent words", "escape")
        await pilot.press("p", "down", "D", *"Cookie Dan", "enter")
        await pilot.pause(0.6)  # an autosave tick passes
        assert [p.name for p in demo_store.personas.list()] == ["Dan @ Acme"]
        assert app.persona.name == "Dan @ Acme"
        assert "not saved" not in screen_text(app)
