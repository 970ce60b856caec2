"""The identity header, on every screen: who you are, where a post would go, on which box.

Line 1 is a full-width band in the persona's colour carrying its glyph and name as text, so
the persona reads the same with NO_COLOR or 16 colours; line 2 names the target accounts."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from store import Persona, colour_hex

from ..text import one_line


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


def band(persona: Persona | None, width: int, right: str = "", left_extra: str = "") -> Text:
    """One full-width line: glyph and name on the persona's colour; ``right`` at the end."""
    if persona is None:
        label, style = " LOCKED", Style(bold=True, reverse=True)
    else:
        colour = colour_hex(persona.colour)
        label = f" {one_line(persona.glyph)} {one_line(persona.name, 40)}"
        style = Style(bold=True, color=contrast(colour), bgcolor=colour)
    label += left_extra
    right = f"{right} " if right else ""
    gap = max(width - cell_len(label) - cell_len(right), 1)
    line = Text(no_wrap=True, overflow="ellipsis", end="")
    line.append(label + " " * gap + right, style)
    line.truncate(max(width, 1))
    return line


class IdentityHeader(Widget):
    """Two lines: the persona band, then the accounts a publish would go to."""

    DEFAULT_CSS = "IdentityHeader { height: 2; dock: top; }"
    identity: reactive[Identity] = reactive(Identity(None), layout=False)

    def render(self) -> Text:
        identity, width = self.identity, self.size.width
        persona = identity.persona
        extra = f"  persona {identity.position}" if persona and identity.position else ""
        text = band(persona, width, identity.where, extra)
        text.append("\n")
        if persona is None:
            text.append(" unlock to continue", style=Style(dim=True))
        elif identity.targets:
            text.append(" posts go to: ", style=Style(bold=True))
            text.append(one_line(", ".join(identity.targets), max(width - 15, 10)))
        else:
            text.append(" posts go to: no account yet (add one on the personas screen)")
        return text
