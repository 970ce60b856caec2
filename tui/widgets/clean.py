"""Text fields that only ever hold clean text.

Whatever enters them — a value we put in, a paste — loses its terminal escapes and control
characters first (``personae.store.text.clean``). Textual draws a field's characters as
they are, so an escape sequence in a name would otherwise reach the terminal. The editor's
own field, ``CleanTextArea``, lives with the editor (``widgets/compose.py``): the unlock
screen, on the way to the first frame, needs only this one."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input

from personae.store.text import clean


class CleanInput(Input):
    """A one-line Input: its first value and whatever is typed or pasted is cleaned."""

    def __init__(self, value: str | None = None, **kwargs: Any) -> None:
        super().__init__(clean(value, keep_newlines=False) if value else value, **kwargs)

    def replace(self, text: str, start: int, end: int) -> None:
        super().replace(clean(text, keep_newlines=False), start, end)
