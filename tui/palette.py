"""ctrl+p: "Switch to NAME" for every other persona, and every action the keys offer.

Names are the user's own text and may hold brackets (``Baking [/r/Baking]``, ``Dan [work]``,
even ``[@click=app.quit]``). Textual's system commands read titles and help as markup, so
personas are offered by this provider instead, with titles built as ``Content`` (never
parsed) and help that holds no user text."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, cast

from textual.app import SystemCommand
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from personae.store.text import one_line

if TYPE_CHECKING:
    from textual.screen import Screen

    from personae.tui.app import PersonaeApp


class PersonaCommands(Provider):
    """Every persona but the active one, by name."""

    def _commands(self) -> list[tuple[str, str, Callable[[], None]]]:
        app = cast("PersonaeApp", self.app)
        store, active = app.store, app.persona
        if store is None or active is None or not store.unlocked:
            return []
        commands = []
        for persona in store.personas.list():
            if persona.id != active.id:
                title = f"Switch to {one_line(persona.glyph)} {one_line(persona.name)}"
                key = f"key {persona.position}" if persona.position else "no key"
                commands.append((title, f"act as this persona ({key})", _switch(app, persona.id)))
        return commands

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(Content(title), callback, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                shown = highlighted(matcher, title)
                yield Hit(score, shown, callback, text=title, help=help_text)


def highlighted(matcher: Matcher, candidate: str) -> Content:
    """``candidate`` as literal text with the letters the query matched styled (Textual's
    ``Matcher.highlight`` would parse it as markup first)."""
    content = Content(candidate)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    for offset in offsets:
        if not candidate[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def _switch(app: PersonaeApp, persona_id: int) -> Callable[[], None]:
    return lambda: app.switch_to(persona_id)


def binding_commands(app: PersonaeApp, screen: Screen[object]) -> Iterator[SystemCommand]:
    """Every action the screen's keys offer, by description (our own words, no user text),
    with its key as help; Textual's own Quit is already listed."""
    seen = {"Quit"}
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.description and binding.description not in seen and active.enabled:
            seen.add(binding.description)
            yield SystemCommand(
                binding.description,
                f"key {app.get_key_display(binding)}",
                lambda b=binding, node=active.node: app.call_later(app.run_action, b.action, node),
            )
