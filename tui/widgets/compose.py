"""The editor: a draft of one persona, autosaved (sealed) every half second while it changes,
with a length counter per target account.

It asks its screen for what it cannot do alone (choosing accounts, publishing) with
messages; the screen owns those flows and their dialogs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import TextArea
from textual.widgets.text_area import Edit, EditResult

from personae.store import Account, Conflict, Draft, NotFound, Persona, Store, StoreError
from personae.store.text import clean, one_line
from personae.tui.widgets.header import band
from personae.tui.widgets.line import TextLine

AUTOSAVE_SECONDS = 0.5  # a crash loses at most this much typing (plus one save)


def counter(account: Account, text: str) -> tuple[str, bool]:
    """``handle n/limit unit`` for one target, and whether the text is too long for it."""
    from personae.networks.errors import NetworkUnavailable
    from personae.networks.registry import load

    try:
        network = load(account.network)
    except NetworkUnavailable:
        return f"{one_line(account.handle)}: network not installed", True
    caps = network.capabilities
    if caps.max_length is None:
        return f"{one_line(account.handle)}: {network.length(text)}", False
    used = network.length(text)
    unit = "graphemes" if caps.length_unit == "graphemes" else "chars"
    return f"{one_line(account.handle)} {used}/{caps.max_length} {unit}", used > caps.max_length


class CleanTextArea(TextArea):
    """A TextArea whose every edit (typing, paste, insert, undo) and load is cleaned of
    escape sequences and control characters, newlines and tabs kept: a draft a script
    saved with an OSC 52 or a clear-screen in it must not reach the terminal."""

    def load_text(self, text: str) -> None:
        super().load_text(clean(text))

    def edit(self, edit: Edit) -> EditResult:
        edit.text = clean(edit.text)
        return super().edit(edit)


class Compose(Vertical):
    """Holds one draft: whose it is, its text and its target accounts."""

    BINDINGS = [
        Binding("ctrl+s", "publish", "Publish…", id="compose.publish"),
        Binding("ctrl+t", "targets", "Targets", id="compose.targets"),
        Binding("ctrl+n", "new", "New draft", show=False, id="compose.new"),
        Binding("escape", "leave", "Leave editor", id="compose.leave"),
    ]

    class PublishRequested(Message):
        """ctrl+s: publish the draft being edited (the screen asks first)."""

    class TargetsRequested(Message):
        """ctrl+t: choose among ``accounts``; ``chosen`` are the draft's targets now."""

        def __init__(self, accounts: list[Account], chosen: list[int]) -> None:
            super().__init__()
            self.accounts, self.chosen = accounts, chosen

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.store: Store | None = None
        self.owner: Persona | None = None  # whose draft this is
        self.active: Persona | None = None  # who the app is acting as
        self.draft_id: int | None = None
        self.targets: list[int] = []
        self.saved_text: str | None = ""  # None: the targets changed, save even if the text did not
        self.saves = 0
        self.problem = ""  # why the last autosave failed, shown until a save succeeds
        # The text of a draft chosen while the editor is hidden (a persona swap from another
        # view): it goes into the editor when the editor is shown, so a swap touches none of
        # the editor's widgets. Until then it is what ``text`` returns.
        self.pending: str | None = None

    def compose(self) -> ComposeResult:
        self._owner_line = TextLine(id="compose-owner")
        self._editor = CleanTextArea(id="editor", soft_wrap=True, show_line_numbers=False)
        self._counters = TextLine(id="counters")
        yield self._owner_line
        yield self._editor
        yield self._counters

    def on_mount(self) -> None:
        self.set_interval(AUTOSAVE_SECONDS, self.flush)

    @property
    def editor(self) -> TextArea:
        return self._editor

    @property
    def text(self) -> str:
        """The draft's text as it stands (typed, or waiting to be shown)."""
        return self.pending if self.pending is not None else self._editor.text

    # -- which draft --------------------------------------------------------------------------

    def start(self, store: Store, active: Persona, draft: Draft | None = None) -> None:
        """Edit ``draft`` (or a new, empty one of ``active``); the previous one is saved."""
        if self.flush() is None and self.problem:  # the store refused it: say so, once more
            self.app.notify(f"the open draft was {self.problem}", severity="error", markup=False)
        self.store, self.active = store, active
        self.problem = ""
        if draft is None:
            self.owner, self.draft_id = active, None
            self.targets = [a.id for a in _default_targets(store, active)]
            text = ""
        else:
            self.owner = store.personas.get(draft.persona_id)
            self.draft_id, self.targets, text = draft.id, list(draft.targets), draft.text
        self.saved_text = text
        if self.display:
            self._load(text)
        else:
            self.pending = text

    def reveal(self) -> None:
        """The editor is about to be shown: put a draft chosen meanwhile into it."""
        if self.pending is not None:
            self._load(self.pending)

    def _load(self, text: str) -> None:
        self.pending = None
        self._editor.load_text(text)
        self.show_status()

    def clear(self) -> None:
        """Forget the text and the draft (on lock); call ``flush`` first to keep it."""
        self.store = self.owner = self.active = None
        self.draft_id, self.targets, self.saved_text, self.pending = None, [], "", None
        self.problem = ""
        self._editor.load_text("")
        self._owner_line.update(Text(""))
        self._counters.update(Text(""))

    def save(self) -> Draft | None:
        """The draft as it stands, saved to its own persona first if it changed; None when
        there is nothing (no persona, or an empty new draft). Raises the StoreError that
        refused it (a draft over the size limit, say)."""
        if self.changed() or self.draft_id is None:
            return self._write()
        try:
            return self._store().drafts.get(self.draft_id)
        except NotFound:  # deleted meanwhile (the drafts list): saved again as a new one
            self.draft_id = None
            return self._write()

    def changed(self) -> bool:
        """Whether the editor holds what its draft does not (yet)."""
        return self.text != self.saved_text

    def flush(self) -> Draft | None:
        """The autosave tick: write the text if it changed; when the store refuses, say
        why under the editor (once, not every half second) and keep the text."""
        if not self.changed():
            return None
        try:
            return self._write()
        except StoreError as error:
            problem = f"not saved: {one_line(str(error), 120)}"
            if problem != self.problem:
                self.problem = problem
                self.show_counters()
            return None

    def _store(self) -> Store:
        assert self.store is not None
        return self.store

    def _write(self) -> Draft | None:
        store, owner, text = self.store, self.owner, self.text
        if store is None or owner is None or not store.unlocked:
            return None
        if self.draft_id is None and not text and self.saved_text is not None:
            return None  # an empty new draft is not worth a row
        try:
            draft = store.drafts.save(owner.id, text, self.targets, self.draft_id)
        except (Conflict, NotFound):
            if self._owner_gone():  # deleted with everything it held, as the user confirmed
                self.owner, self.draft_id = None, None
                return None
            # queued or deleted meanwhile: keep the text as a new draft
            draft = store.drafts.save(owner.id, text, self.targets)
        self.draft_id, self.saved_text = draft.id, text
        self.saves += 1
        if self.problem:
            self.problem = ""
            self.show_counters()
        return draft

    def _owner_gone(self) -> bool:
        if self.store is None or self.owner is None:
            return True
        try:
            self.store.personas.get(self.owner.id)
        except NotFound:
            return True
        return False

    def set_targets(self, ids: list[int]) -> None:
        """The accounts chosen for this draft (saved at once)."""
        self.targets = ids
        self.saved_text = None
        self.flush()
        self.show_counters()

    # -- display ------------------------------------------------------------------------------

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.show_counters()

    def show_status(self) -> None:
        if self.owner is None or self.active is None:
            self._owner_line.update(Text(""))
            return
        owner = self.owner
        label = f"draft {self.draft_id}" if self.draft_id else "new draft"
        if owner.id == self.active.id:
            line = Text(f" {label} of ")
            line.append(f"{one_line(owner.glyph)} {one_line(owner.name)}", "bold")
            line.append(" · autosaved · ctrl+s publish · esc leave")
            self._owner_line.update(line)
        else:  # a band as wide as the editor, whatever its width when it is drawn
            warning = f"⚠ {label} of another persona"
            self._owner_line.update(lambda width: band(owner, width, warning))
        self.show_counters()

    def show_counters(self) -> None:
        if self.store is None:
            return
        if self.problem:
            self._counters.update(Text(f" {self.problem}", Style(bold=True, reverse=True)))
            return
        text = self.text
        accounts = _accounts(self.store, self.targets)
        line = Text(" to: " if accounts else " to: no account chosen (ctrl+t)")
        for index, account in enumerate(accounts):
            label, over = counter(account, text)
            line.append(" · " if index else "")
            line.append(label, Style(bold=True, reverse=True) if over else Style())
            if over:
                line.append(" TOO LONG", Style(bold=True))
        self._counters.update(line)

    # -- actions ------------------------------------------------------------------------------

    def action_leave(self) -> None:
        self.flush()
        self.screen.set_focus(None)

    def action_new(self) -> None:
        if self.store and self.active:
            self.start(self.store, self.active)
            self.editor.focus()

    def action_targets(self) -> None:
        if self.store is not None and self.owner is not None:
            accounts = _default_targets(self.store, self.owner)
            self.post_message(self.TargetsRequested(accounts, list(self.targets)))

    def action_publish(self) -> None:
        self.post_message(self.PublishRequested())


def _default_targets(store: Store, persona: Persona) -> list[Account]:
    from personae.networks.posting import publishable

    return publishable(store, persona)


def _accounts(store: Store, ids: Sequence[int]) -> list[Account]:
    found = []
    for account_id in ids:
        try:
            found.append(store.accounts.get(account_id))
        except NotFound:
            continue
    return found
