"""Keys a newcomer can find: ``?``/F1 list every key of the screen, footers show whole keys
at 80 columns, a key means one thing everywhere, and a keymap typo is reported."""

from __future__ import annotations

import pytest
from textual.widgets import Footer

from personae.tui.config import Config, parse
from personae.tui.screens.keys import KeyHelpScreen
from personae.tui.screens.main import MainScreen
from personae.tui.screens.modals import Dialog, OtherPersonaDialog
from personae.tui.screens.personas import PersonasScreen
from tests.support.screen import footer_labels, screen_text, toasts
from tests.tui.conftest import make_app

pytestmark = pytest.mark.anyio
SMALL = (80, 24)
# Each place a user meets, from the first persona's timeline.
PLACES = {
    "timeline": [],
    "compose": ["c"],
    "drafts": ["d"],
    "outbox": ["o"],
    "personas": ["p"],
    "switcher": ["s"],
    "publish": ["2", "c", *"Warm #cookies", "ctrl+s"],
    "other persona": ["d", "a", "enter", "ctrl+s"],  # the newest draft: Cookie Dan's slip
    "item": ["enter"],
    "keys": ["question_mark"],
    "search prompt": ["slash"],
    "targets": ["c", "ctrl+t"],
    "delete draft": ["d", "x"],
    "unlock": ["ctrl+l"],
}


@pytest.mark.parametrize("place", list(PLACES))
async def test_the_footer_shows_whole_keys_at_80_columns(app, place):
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press(*PLACES[place])
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        labels = footer_labels(app)
        assert labels, f"no keys in the footer of {place}"
        for label in labels:
            assert label in footer, f"{label!r} is cut in {footer!r}"
        if place not in ("unlock", "keys"):
            assert "? Keys" in footer or "f1 Keys" in footer  # the way to the rest


async def test_question_mark_lists_every_key_of_the_timeline_and_esc_closes_it(app):
    async with app.run_test(size=(100, 80)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, KeyHelpScreen)
        shown = screen_text(app)
        rows = [line.split("│")[1].strip() for line in shown.splitlines() if line.count("│") == 2]
        for key, what in [
            ("m", "Read"),
            ("l", "Open link"),
            ("L", "Copy link"),
            ("p", "Personas"),
            ("s", "Switch"),
            ("o", "Outbox"),
            ("1", "Persona 1"),
            ("-", "Previous persona"),
            ("^l", "Lock"),
        ]:
            assert any(row.split()[:1] == [key] and what in row for row in rows), (
                f"{key} {what} is not listed"
            )
        assert "timeline.mark_read" in shown  # the id a [keymap] line remaps
        assert "Dan @ Acme" in shown.splitlines()[0]  # the header stays
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_f1_lists_the_keys_of_the_screen_it_is_pressed_on(app):
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("p", "f1")
        shown = screen_text(app)
        assert "Send delay" in shown and "Guard+" in shown and "Verify" in shown
        await pilot.press("escape")
        assert isinstance(app.screen, PersonasScreen)


async def test_f1_works_while_typing_and_question_mark_is_typed(app):
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("c", "question_mark")
        assert app.main.editor.text == "?"
        await pilot.press("f1")
        assert isinstance(app.screen, KeyHelpScreen)
        assert "Publish…" in screen_text(app)


async def test_p_opens_personas_from_every_view_and_the_outbox_sends_with_u(app, demo_store):
    async with app.run_test(size=SMALL) as pilot:
        for view in ("t", "d", "o"):
            await pilot.press(view, "p")
            assert isinstance(app.screen, PersonasScreen), view
            await pilot.press("escape")
        await pilot.press("o")
        assert "u Send now" in screen_text(app)


async def test_the_other_persona_dialog_answers_y_m_or_n_and_p_means_nothing_there(app, demo_store):
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press(*PLACES["other persona"])
        assert isinstance(app.screen, OtherPersonaDialog)
        text = screen_text(app)
        assert "y  publish as ♥ Cookie Dan" in text and "m  move it to ■ Dan @ Acme" in text
        await pilot.press("p")
        assert isinstance(app.screen, OtherPersonaDialog)
        await pilot.press("n")
        assert isinstance(app.screen, MainScreen) and demo_store.outbox.list() == []


@pytest.mark.parametrize("size", [SMALL, (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("place", ["switcher", "publish", "other persona", "item", "keys"])
async def test_dialogs_are_centred(app, place, size):
    async with app.run_test(size=size) as pilot:
        await pilot.press(*PLACES[place])
        assert isinstance(app.screen, Dialog)
        box = app.screen.query_one(".dialog").region
        header, footer = 2, 1
        assert abs(box.x - (size[0] - box.right)) <= 1
        assert abs((box.y - header) - (size[1] - footer - box.bottom)) <= 1


async def test_the_confirmation_band_reads_publishing_as_then_glyph_and_name(app):
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press(*PLACES["publish"])
        assert "publishing as ♥ Cookie Dan" in screen_text(app)


async def test_an_unknown_keymap_id_is_a_warning_on_start_and_the_known_ones_apply(demo_store):
    keymap = {"lock": "f12", "persona.previuos": "x"}
    app = make_app(demo_store, config=Config(auto_lock_seconds=0, keymap=keymap))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        assert any("'persona.previuos'" in toast and "keymap" in toast for toast in toasts(app))
        await pilot.press("f12")
        assert not demo_store.unlocked


async def test_a_keymap_without_typos_starts_quietly(demo_store):
    keymap = {"persona.previous": "x", "view.outbox": "O", "compose.publish": "ctrl+p"}
    app = make_app(demo_store, config=Config(auto_lock_seconds=0, keymap=keymap))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        assert toasts(app) == []
        assert app.screen.query_one(Footer) is not None


def test_dotted_binding_ids_in_the_keymap_table_need_no_quotes():
    import tomllib

    text = '[keymap]\nlock = "f12"\npersona.previous = "x"\n"view.outbox" = "O"\n'
    config = parse(tomllib.loads(text))
    assert config.problem == ""
    assert config.keymap == {"lock": "f12", "persona.previous": "x", "view.outbox": "O"}
