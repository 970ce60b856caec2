"""Text fields that only ever hold clean text.

Whatever enters them — a draft a script saved, a paste, a value we put in — loses its
terminal escapes and control characters first (``personae.store.text.clean``; the editor
keeps newlines and tabs). Textual draws a field's characters as they are, so an OSC 52 or a
clear-screen sequence in a draft would otherwise reach the terminal when the draft is opened."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, TextArea
from textual.widgets.text_area import Edit, EditResult

from personae.store.text import clean


class CleanTextArea(TextArea):
    """A TextArea whose every edit (typing, paste, insert, undo) and load is cleaned."""

    def load_text(self, text: str) -> None:
        super().load_text(clean(text))

    def edit(self, edit: Edit) -> EditResult:
        edit.text = clean(edit.text)
        return super().edit(edit)


class CleanInput(Input):
    """A one-line Input: its first value and whatever is typed or pasted is cleaned."""

    def __init__(self, value: str | None = None, **kwargs: Any) -> None:
        super().__init__(clean(value, keep_newlines=False) if value else value, **kwargs)

    def replace(self, text: str, start: int, end: int) -> None:
        super().replace(clean(text, keep_newlines=False), start, end)
