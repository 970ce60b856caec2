"""Names are the user's text, shown literally everywhere: a persona called ``Dan [work]`` or
``Baking [/r/Baking]`` is neither Rich/Textual markup nor an action, in the command palette,
the header, the terminal title, dialogs and notifications."""

from __future__ import annotations

import pytest
from textual.command import CommandPalette
from textual.widgets import Input

from personae.store import Store
from tests.support.screen import screen_text, toasts
from tests.tui.conftest import make_app

pytestmark = pytest.mark.anyio
SIZE = (100, 30)
NAMES = ["Baking [/r/Baking]", "Dan [work]", "[@click=app.quit]Evil[/]", "[b]Bold[/b] move"]


@pytest.fixture
def marked_up(demo_store: Store) -> Store:
    """The demo's two personas and four more whose names look like markup."""
    for name in NAMES:
        demo_store.personas.add(name, glyph="[")
    return demo_store


async def choose_in_palette(pilot, query: str) -> None:
    """ctrl+p, type ``query``, wait for the hits, take the first."""
    await pilot.press("ctrl+p")
    assert isinstance(pilot.app.screen, CommandPalette)
    pilot.app.screen.query_one(Input).value = query
    await pilot.pause(0.6)  # the palette gathers hits in a worker, in batches
    await pilot.press("enter")
    await pilot.pause()


@pytest.mark.parametrize("name", NAMES)
async def test_switching_through_the_palette_reaches_exactly_the_named_persona(marked_up, name):
    app = make_app(marked_up)
    async with app.run_test(size=SIZE) as pilot:
        await choose_in_palette(pilot, f"Switch to [ {name}")
        assert app.is_running and app.return_code is None
        assert app.persona is not None and app.persona.name == name
        header = screen_text(app).splitlines()[0]
        assert f"[ {name}" in header
        assert app.terminal_title == f"personae — [ {name}"


async def test_the_palette_lists_markup_names_as_typed(marked_up):
    app = make_app(marked_up)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        app.screen.query_one(Input).value = "switch to"
        await pilot.pause(0.6)
        shown = screen_text(app)
        for name in NAMES:
            assert f"Switch to [ {name}" in shown
        assert "Switch to Dan \n" not in shown + "\n"  # 'Dan [work]' is not cut to 'Dan'


async def test_a_markup_name_stays_literal_in_the_switcher_and_the_confirmation(marked_up):
    family = marked_up.personas.list()[1]
    marked_up.personas.rename(family, "[red]Cookie[/red] Dan")
    app = make_app(marked_up)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("s")
        assert "[@click=app.quit]Evil[/]" in screen_text(app)
        await pilot.press("escape", "2", "c", *"hello", "ctrl+s")
        assert "publishing as ♥ [red]Cookie[/red] Dan" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        assert any("queued as [red]Cookie[/red] Dan to cookiedan" in t for t in toasts(app))
        await pilot.click(offset=(5, 0))  # a click on the header triggers nothing
        assert app.is_running and app.return_code is None
