"""Rich text drawn straight into a line (Textual's Line API), for one-line bars that change
on every persona swap: it skips the wrapping and layout a Static goes through."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget


def text_strip(text: Text, width: int, base: Style, console: Console) -> Strip:
    """One line of ``text`` over a widget's own style, cut or padded to ``width`` cells."""
    segments = Segment.apply_style(text.render(console), base)
    padding = Style(bgcolor=base.bgcolor)  # as Textual pads a line: background only
    return Strip(segments).crop_extend(0, width, padding)


Fitted = Callable[[int], Text]  # the line for a width: for lines that fill the whole row


class TextLine(Widget):
    """A one-line bar showing a ``Text`` (longer text is cut at the right edge), or the
    line a function makes for the bar's width when it is drawn (a full-width band)."""

    DEFAULT_CSS = "TextLine { height: 1; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text: Text | Fitted = Text()

    def update(self, text: Text | Fitted) -> None:
        self.text = text
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width, base = self.size.width, self.rich_style
        if y:
            return Strip.blank(width, Style(bgcolor=base.bgcolor))
        text = self.text if isinstance(self.text, Text) else self.text(width)
        return text_strip(text, width, base, self.app.console)
