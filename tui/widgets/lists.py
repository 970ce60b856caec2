"""The drafts list and the outbox table of the active persona."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, TypeVar

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, OptionList
from textual.widgets.option_list import Option

from personae.store import Draft, OutboxEntry, Persona, PostState, Store, StoreError
from personae.store.text import one_line

T = TypeVar("T")


def waiting(entry: OutboxEntry, now: float) -> str:
    """When the entry goes out next, at a granularity that reads calmly (and snapshots
    steadily): 'due', 'in 40 s', 'in 3 min'."""
    if entry.state not in (PostState.QUEUED, PostState.SENDING):
        return "-"
    wait = entry.next_attempt - now
    if wait <= 0:
        return "due"
    if wait < 60:
        return f"in {math.ceil(wait / 10) * 10} s"
    return f"in {math.ceil(wait / 60)} min"


def edited(draft: Draft, now: float) -> str:
    minutes = int(max(now - draft.updated, 0) // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    return time.strftime("%Y-%m-%d", time.gmtime(draft.updated))


class PersonaList:
    """A list that shows one persona's rows: ``reload`` reads them, ``forget`` drops them."""

    store: Store | None
    persona: Persona | None

    def show(self, store: Store, persona: Persona, *, load: bool = True) -> None:
        """Show ``persona``'s rows; with ``load=False`` (hidden) only forget the others'."""
        self.store, self.persona = store, persona
        if load:
            self.reload()
        else:
            self.forget()

    def reload(self) -> None:
        raise NotImplementedError

    def forget(self) -> None:
        raise NotImplementedError


class DraftList(PersonaList, OptionList):
    """The active persona's drafts (or, after ``a``, every persona's, each marked), one row
    each, newest first; the first is selected, so ``enter`` opens it at once."""

    BINDINGS = [
        Binding("enter", "select", "Open", id="drafts.open"),
        Binding("a", "toggle_all", "All personas", id="drafts.all"),
        Binding("x", "delete", "Delete", id="drafts.delete"),
    ]

    class Open(Message):
        def __init__(self, draft: Draft) -> None:
            super().__init__()
            self.draft = draft

    class DeleteRequested(Message):
        """``x``: delete ``draft`` (the screen asks first)."""

        def __init__(self, draft: Draft) -> None:
            super().__init__()
            self.draft = draft

    def __init__(self, clock: Callable[[], float] = time.time, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clock = clock
        self.store: Store | None = None
        self.persona: Persona | None = None
        self.everyone = False
        self.drafts: list[Draft] = []

    def forget(self) -> None:
        self.drafts = []
        if self.option_count:
            self.clear_options()

    def reload(self) -> None:
        self.clear_options()
        if self.store is None or self.persona is None:
            self.drafts = []
            return
        personas = {p.id: p for p in self.store.personas.list()}
        ids = list(personas) if self.everyone else [self.persona.id]
        self.drafts = [d for pid in ids for d in self.store.drafts.list(pid)]
        self.drafts.sort(key=lambda d: d.updated, reverse=True)
        now = self.clock()
        for draft in self.drafts:
            owner = personas.get(draft.persona_id)
            line = Text()
            if self.everyone and owner is not None:
                mine = owner.id == self.persona.id
                line.append(
                    f"{one_line(owner.glyph)} {one_line(owner.name, 16)}  ",
                    Style(bold=True, underline=not mine),
                )
            line.append(f"#{draft.id} {edited(draft, now):>10}  ", Style(dim=True))
            line.append(one_line(draft.text, 200) or "(empty)")
            self.add_option(Option(line, id=str(draft.id)))
        if self.drafts:
            self.highlighted = 0
        else:
            self.add_option(
                Option(Text(" no drafts: press c to write one"), id="none", disabled=True)
            )

    def clear(self) -> None:
        self.store = self.persona = None
        self.drafts = []
        self.clear_options()

    def action_toggle_all(self) -> None:
        self.everyone = not self.everyone
        self.reload()

    def selected_draft(self) -> Draft | None:
        index = self.highlighted
        if index is None or not 0 <= index < len(self.drafts):
            return None
        return self.drafts[index]

    def action_cursor_up(self) -> None:
        """Up stops at the first draft (OptionList would wrap round to the last)."""
        if self.highlighted:
            super().action_cursor_up()

    def action_cursor_down(self) -> None:
        """Down stops at the last draft."""
        if self.highlighted is None or self.highlighted < len(self.drafts) - 1:
            super().action_cursor_down()

    def action_delete(self) -> None:
        draft = self.selected_draft()
        if draft is not None:
            self.post_message(self.DeleteRequested(draft))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        draft = self.selected_draft()
        if draft is not None:
            self.post_message(self.Open(draft))


class OutboxTable(PersonaList, DataTable):
    """Each (post, account) of the active persona: state, next try, last error."""

    BINDINGS = [
        Binding("r", "retry", "Retry", id="outbox.retry"),
        Binding("x", "cancel_entry", "To draft", id="outbox.cancel"),
        Binding("e", "edit", "Edit", id="outbox.edit"),
        Binding("u", "app.publish_now", "Send now", id="outbox.send_due"),
    ]

    class Edit(Message):
        def __init__(self, draft: Draft) -> None:
            super().__init__()
            self.draft = draft

    def __init__(self, clock: Callable[[], float] = time.time, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.clock = clock
        self.store: Store | None = None
        self.persona: Persona | None = None
        self.entries: list[OutboxEntry] = []

    def on_mount(self) -> None:
        self.add_columns("id", "account", "state", "next", "text / error")

    def forget(self) -> None:
        self.entries = []
        if self.row_count:
            self.clear()

    def reload(self) -> None:
        row = self.cursor_row
        self.clear()
        if self.store is None or self.persona is None:
            self.entries = []
            return
        self.entries = self.store.outbox.list(self.persona.id)
        handles = {a.id: a.handle for a in self.store.accounts.list(self.persona.id)}
        now = self.clock()
        for entry in self.entries:
            state = Text(entry.state, Style(bold=entry.state == PostState.FAILED, reverse=False))
            detail = entry.last_error if entry.last_error else entry.text
            self.add_row(
                Text(str(entry.id)),
                Text(one_line(handles.get(entry.account_id, "?"), 24)),
                state,
                Text(waiting(entry, now)),
                Text(one_line(detail, 80)),
                key=str(entry.id),
            )
        if self.entries:
            self.move_cursor(row=min(row, len(self.entries) - 1))

    def clear_all(self) -> None:
        self.store = self.persona = None
        self.entries = []
        self.clear()

    def selected(self) -> OutboxEntry | None:
        row = self.cursor_row
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def action_retry(self) -> None:
        entry, store = self.selected(), self.store
        if entry is not None and store is not None:
            self._attempt(lambda: store.outbox.retry(entry), "queued again")

    def action_cancel_entry(self) -> None:
        entry, store = self.selected(), self.store
        if entry is not None and store is not None:
            self._attempt(lambda: store.outbox.cancel(entry), "back in drafts")

    def action_edit(self) -> None:
        entry, store = self.selected(), self.store
        if entry is None or store is None:
            return
        draft = self._attempt(lambda: store.outbox.cancel(entry), "")
        if draft is not None:
            self.post_message(self.Edit(draft))

    def _attempt(self, change: Callable[[], T], done: str) -> T | None:
        try:
            result = change()
        except StoreError as error:
            self.app.notify(one_line(str(error)), severity="warning", markup=False)
            return None
        if done:
            self.app.notify(done, markup=False)
        self.reload()
        return result
