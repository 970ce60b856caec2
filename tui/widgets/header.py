"""The identity header, on every screen: who you are, where a post would go, on which box.

Line 1 is a full-width band in the persona's colour carrying its glyph and name as text, so
the persona reads the same with NO_COLOR or 16 colours; line 2 names the target accounts."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from personae.store import Persona, colour_hex
from personae.store.text import one_line
from personae.tui.widgets.line import text_strip


@dataclass(frozen=True)
class Identity:
    """What the header shows; None persona means the store is locked."""

    persona: Persona | None
    targets: tuple[str, ...] = ()
    position: str = ""  # e.g. "1/2"
    where: str = ""  # user@host


def contrast(hex_colour: str) -> str:
    """Black or white, whichever reads better on ``hex_colour``."""
    value = hex_colour.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000000" if luminance > 140 else "#ffffff"


def band(
    persona: Persona | None,
    width: int,
    right: str = "",
    left_extra: str = "",
    *,
    before: str = "",
) -> Text:
    """One full-width line: glyph and name on the persona's colour, after the words
    ``before`` if any ("publishing as ♥ Cookie Dan"); ``right`` at the end."""
    if persona is None:
        label, style = " LOCKED", Style(bold=True, reverse=True)
    else:
        colour = colour_hex(persona.colour)
        label = f" {one_line(persona.glyph)} {one_line(persona.name, 40)}"
        label = f" {before}{label}" if before else label
        style = Style(bold=True, color=contrast(colour), bgcolor=colour)
    label += left_extra
    right = f"{right} " if right else ""
    gap = max(width - cell_len(label) - cell_len(right), 1)
    line = Text(no_wrap=True, overflow="ellipsis", end="")
    line.append(label + " " * gap + right, style)
    line.truncate(max(width, 1))
    return line


class IdentityHeader(Widget):
    """Two lines: the persona band, then the accounts a publish would go to.

    Drawn with the Line API from a few remembered renderings, one per (identity, width,
    style): swapping back and forth between personas repaints the header from memory."""

    DEFAULT_CSS = "IdentityHeader { height: 2; dock: top; }"
    identity: reactive[Identity] = reactive(Identity(None), layout=False)
    REMEMBERED = 8  # renderings kept: a few personas at one width

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._drawn: dict[tuple[Identity, int, Style], list[Strip]] = {}

    def lines(self) -> list[Text]:
        identity, width = self.identity, self.size.width
        persona = identity.persona
        extra = f"  persona {identity.position}" if persona and identity.position else ""
        second = Text(no_wrap=True, end="")
        if persona is None:
            second.append(" unlock to continue", style=Style(dim=True))
        elif identity.targets:
            second.append(" posts go to: ", style=Style(bold=True))
            second.append(one_line(", ".join(identity.targets), max(width - 15, 10)))
        else:
            second.append(" posts go to: no account yet (add one on the personas screen)")
        return [band(persona, width, identity.where, extra), second]

    def render_line(self, y: int) -> Strip:
        width, base = self.size.width, self.rich_style
        key = (self.identity, width, base)
        strips = self._drawn.get(key)
        if strips is None:
            console = self.app.console
            strips = [text_strip(line, width, base, console) for line in self.lines()]
            if len(self._drawn) >= self.REMEMBERED:
                del self._drawn[next(iter(self._drawn))]
            self._drawn[key] = strips
        return strips[y] if 0 <= y < len(strips) else Strip.blank(width, base)
