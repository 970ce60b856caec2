"""The editor: a draft of one persona, autosaved (sealed) every half second while it changes,
with a length counter per target account and the way to the outbox."""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static, TextArea

from personae.store import Account, Conflict, Draft, NotFound, Persona, Store
from personae.store.text import one_line
from personae.tui.widgets.header import band

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


class Compose(Vertical):
    """Holds one draft: whose it is, its text and its target accounts."""

    BINDINGS = [
        Binding("ctrl+s", "publish", "Publish…", id="compose.publish"),
        Binding("ctrl+t", "targets", "Targets", id="compose.targets"),
        Binding("ctrl+n", "new", "New draft", id="compose.new"),
        Binding("escape", "leave", "Leave editor", id="compose.leave"),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.store: Store | None = None
        self.owner: Persona | None = None  # whose draft this is
        self.active: Persona | None = None  # who the app is acting as
        self.draft_id: int | None = None
        self.targets: list[int] = []
        self.saved_text = ""
        self.saves = 0
        # The text of a draft chosen while the editor is hidden (a persona swap from another
        # view): it goes into the editor when the editor is shown, so a swap touches none of
        # the editor's widgets. Until then it is what ``text`` returns.
        self.pending: str | None = None

    def compose(self) -> ComposeResult:
        self._owner_line = Static(id="compose-owner")
        self._editor = TextArea(id="editor", soft_wrap=True, show_line_numbers=False)
        self._counters = Static(id="counters")
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
        self.flush()
        self.store, self.active = store, active
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
        self._editor.load_text("")
        self._owner_line.update(Text(""), layout=False)
        self._counters.update(Text(""), layout=False)

    def flush(self) -> Draft | None:
        """Save the text to its own persona's draft if it changed (the autosave tick)."""
        if self.store is None or self.owner is None or not self.store.unlocked:
            return None
        text = self.text
        if text == self.saved_text and (self.draft_id is not None or not text):
            return None
        try:
            draft = self.store.drafts.save(self.owner.id, text, self.targets, self.draft_id)
        except (Conflict, NotFound):  # queued or deleted meanwhile: keep the text as a new one
            draft = self.store.drafts.save(self.owner.id, text, self.targets)
        self.draft_id, self.saved_text = draft.id, text
        self.saves += 1
        return draft

    # -- display ------------------------------------------------------------------------------

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.show_counters()

    def show_status(self) -> None:
        owner = self._owner_line
        if self.owner is None or self.active is None:
            owner.update(Text(""), layout=False)
            return
        label = f"draft {self.draft_id}" if self.draft_id else "new draft"
        if self.owner.id == self.active.id:
            line = Text(f" {label} of ")
            line.append(f"{one_line(self.owner.glyph)} {one_line(self.owner.name)}", "bold")
            line.append(" · autosaved · ctrl+s publish · esc leave")
        else:
            line = band(self.owner, max(self.size.width, 40), f"⚠ {label} of another persona")
        owner.update(line, layout=False)  # both lines are one row high (app.tcss)
        self.show_counters()

    def show_counters(self) -> None:
        if self.store is None:
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
        self._counters.update(line, layout=False)

    # -- actions ------------------------------------------------------------------------------

    def action_leave(self) -> None:
        self.flush()
        self.screen.set_focus(None)

    def action_new(self) -> None:
        if self.store and self.active:
            self.start(self.store, self.active)
            self.editor.focus()

    def action_targets(self) -> None:
        from personae.tui.screens.modals import TargetsDialog

        if self.store is None or self.owner is None:
            return
        accounts = _default_targets(self.store, self.owner)

        def chosen(ids: list[int] | None) -> None:
            if ids is not None:
                self.targets = ids
                self.saved_text = None  # type: ignore[assignment]  # force a save
                self.flush()
                self.show_counters()

        self.app.push_screen(TargetsDialog(accounts, self.targets), chosen)

    def action_publish(self) -> None:
        self.app.publish_draft(self)  # type: ignore[attr-defined]


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
