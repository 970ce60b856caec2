"""Dialogs. Each one carries the identity header too: a dialog is where a slip happens.

Every piece of data shown here is a ``Text``/``Content`` object, never a markup string."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from personae.store import Account, Item, Persona
from personae.store.text import clean, one_line
from personae.tui.screens.base import PersonaeModal
from personae.tui.widgets.clean import CleanInput
from personae.tui.widgets.header import IdentityHeader, band
from personae.tui.widgets.line import TextLine

Result = TypeVar("Result")
HELP_KEY = Binding("f1", "app.keys", "Keys", id="app.keys.f1")


def persona_band(persona: Persona, before: str, *, id: str | None = None) -> TextLine:
    """A persona's band as wide as the dialog: "publishing as ♥ Cookie Dan"."""
    line = TextLine(id=id)
    line.update(lambda width: band(persona, width, before=before))
    return line


def plain(text: str) -> Content:
    """Untrusted or user text as content that is never parsed as markup."""
    return Content(clean(text))


class Dialog(PersonaeModal[Result | None], Generic[Result]):
    """A modal with the identity header above it and the footer below; it answers a
    ``Result``, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]
    TITLE_TEXT = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Every dialog's footer ends with the help key: the app's own bindings do not show
        # on a modal screen (F1 itself works everywhere: the app's binding comes first).
        cls.BINDINGS = [*cls.__dict__.get("BINDINGS", []), HELP_KEY]
        super().__init_subclass__(**kwargs)

    def compose(self) -> ComposeResult:
        header = IdentityHeader()
        header.identity = self.app.identity()
        yield header
        with Vertical(classes="dialog"):
            yield Static(plain(one_line(self.TITLE_TEXT)), classes="dialog-title")
            yield from self.body()
        yield Footer()

    def body(self) -> ComposeResult:
        yield from ()

    def action_cancel(self) -> None:
        self.dismiss(None)


class PromptDialog(Dialog[str]):
    """One line of input; returns the text, or None when cancelled."""

    def __init__(self, title: str, label: str, value: str = "", *, password: bool = False) -> None:
        super().__init__()
        self.TITLE_TEXT, self.label, self.value, self.password = title, label, value, password

    def body(self) -> ComposeResult:
        yield Static(plain(self.label))
        yield CleanInput(value=self.value, password=self.password, id="prompt")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)


class ConfirmDialog(Dialog[bool]):
    """Yes or no."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="dialog.yes"),
        Binding("n", "answer(False)", "No", id="dialog.no"),
    ]

    def __init__(self, title: str, question: str) -> None:
        super().__init__()
        self.TITLE_TEXT, self.question = title, question

    def body(self) -> ComposeResult:
        yield Static(plain(self.question))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class TypeNameDialog(Dialog[bool]):
    """Deleting a persona: the user types its name; True only on an exact match."""

    TITLE_TEXT = "Delete persona"

    def __init__(self, persona: Persona, counts: str) -> None:
        super().__init__()
        self.persona, self.counts = persona, counts

    def body(self) -> ComposeResult:
        yield Static(
            plain(
                f"This deletes {self.persona.name} and everything it holds ({self.counts}). "
                f"Type its name to confirm:"
            )
        )
        yield CleanInput(id="confirm-name")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() == self.persona.name)


class ItemDialog(Dialog[None]):
    """One timeline item in full: author, title, when (date and time), text, link and where
    it came from; ``l`` opens the link, ``L`` copies it."""

    TITLE_TEXT = "Item"
    BINDINGS = [
        Binding("escape", "cancel", "Close", id="dialog.cancel"),
        Binding("l", "link(False)", "Open link", id="item.open_link"),
        Binding("L", "link(True)", "Copy link", id="item.copy_link"),
    ]

    def __init__(self, item: Item, source: str) -> None:
        super().__init__()
        self.item, self.source = item, source

    def body(self) -> ComposeResult:
        item = self.item
        head = Text()
        head.append(one_line(item.author) or "?", style=Style(bold=True))
        if item.title:
            head.append("\n" + one_line(item.title), style=Style(bold=True))
        head.append("\n" + when(item.created), style=Style(dim=True))
        yield Static(head)
        with VerticalScroll(id="item-body"):
            yield Static(Text(clean(item.text).strip() or "(no text)"))
        foot = Text()
        foot.append("link: ", style=Style(dim=True))
        foot.append(one_line(item.url) or "none")
        foot.append("\nsource: ", style=Style(dim=True))
        foot.append(one_line(self.source))
        yield Static(foot)

    def action_link(self, copy: bool) -> None:
        from personae.tui.links import copy_link, open_link

        (copy_link if copy else open_link)(self.app, self.item.url)


def when(created: float) -> str:
    """An item's date and time, in the local time zone, named: '2025-03-14 09:00 UTC'."""
    return f"{datetime.fromtimestamp(created).astimezone():%Y-%m-%d %H:%M %Z}"


class TargetsDialog(Dialog[list[int]]):
    """Choose the accounts a draft goes to (space toggles, enter accepts)."""

    TITLE_TEXT = "Publish to which accounts?"
    BINDINGS = [Binding("enter", "accept", "Accept", id="targets.accept")]

    def __init__(self, accounts: Sequence[Account], chosen: Sequence[int]) -> None:
        super().__init__()
        self.accounts, self.chosen = list(accounts), set(chosen)

    def body(self) -> ComposeResult:
        if not self.accounts:
            yield Static(Content("This persona has no account to publish to."))
        yield SelectionList(
            *[
                Selection(Text(f"{one_line(a.handle)}  ({a.network})"), a.id, a.id in self.chosen)
                for a in self.accounts
            ],
            id="targets",
        )

    def action_accept(self) -> None:
        self.dismiss(list(self.query_one(SelectionList).selected))


class PublishDialog(Dialog[bool]):
    """The last look before the outbox: persona (name, glyph, colour band), accounts, the
    send delay, and the guard's findings. Findings need an explicit override (``!``); the
    answer is whether the guard was overridden."""

    TITLE_TEXT = "Publish?"
    BINDINGS = [
        Binding("y", "publish", "Publish", id="publish.yes"),
        Binding("exclamation_mark", "override", "Override guard", id="publish.override"),
        Binding("n", "cancel", "Cancel", id="publish.no"),
    ]

    def __init__(
        self, persona: Persona, accounts: Sequence[Account], problems: Sequence[str], text: str
    ) -> None:
        super().__init__()
        self.persona, self.accounts = persona, list(accounts)
        self.problems, self.text = list(problems), text
        self.override = False

    def body(self) -> ComposeResult:
        yield persona_band(self.persona, "publishing as", id="publish-band")
        lines = Text()
        lines.append("to: ", style=Style(bold=True))
        lines.append(", ".join(one_line(a.handle) for a in self.accounts) or "no account")
        delay = self.persona.send_delay
        lines.append(
            f"\nsend delay: {delay} s (cancel from the outbox until then)"
            if delay
            else "\nsend delay: none, it goes out at the next sync"
        )
        lines.append("\n\n" + one_line(self.text, 160), style=Style(italic=True))
        yield Static(lines)
        if self.problems:
            found = Text("The guard found:\n", style=Style(bold=True))
            for problem in self.problems:
                found.append(f"  ✗ {one_line(problem)}\n")
            found.append("Press ! to override, then y to publish anyway.")
            yield Static(found, id="findings")
        yield Static(Content(self._prompt()), id="publish-prompt")

    def _prompt(self) -> str:
        if self.problems and not self.override:
            return "y is refused until you override (!) — or n to cancel and edit"
        return "y publish · n cancel" + (" · guard OVERRIDDEN" if self.override else "")

    def action_override(self) -> None:
        if self.problems:
            self.override = not self.override
            self.query_one("#publish-prompt", Static).update(Content(self._prompt()))

    def action_publish(self) -> None:
        if self.problems and not self.override:
            self.app.bell()
            return
        self.dismiss(self.override)


class OtherPersonaDialog(Dialog[str]):
    """A draft of persona X while Y is active: publish as X, move it to Y, or cancel."""

    TITLE_TEXT = "This draft belongs to another persona"
    BINDINGS = [
        Binding("y", "choose('publish')", "Publish as owner", id="other.publish"),
        Binding("m", "choose('move')", "Move to active", id="other.move"),
        Binding("n", "cancel", "Cancel", id="other.cancel"),
    ]

    def __init__(self, owner: Persona, active: Persona) -> None:
        super().__init__()
        self.owner, self.active = owner, active

    def body(self) -> ComposeResult:
        yield persona_band(self.owner, "draft of")
        yield persona_band(self.active, "active:")
        choices = Text("\n")
        choices.append(f"y  publish as {one_line(self.owner.glyph)} {one_line(self.owner.name)}\n")
        choices.append(
            f"m  move it to {one_line(self.active.glyph)} {one_line(self.active.name)}\n"
        )
        choices.append("n  cancel")
        yield Static(choices)

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)


class SwitcherDialog(Dialog[int]):
    """Every persona by key and name; enter switches."""

    TITLE_TEXT = "Switch persona"

    def __init__(self, personas: Sequence[Persona], active_id: int | None) -> None:
        super().__init__()
        self.personas, self.active_id = list(personas), active_id

    def body(self) -> ComposeResult:
        options = []
        for persona in self.personas:
            label = Text(f" {persona.position or '-'}  ")
            label.append_text(band(persona, 34, "active" if persona.id == self.active_id else ""))
            options.append(Option(label, id=str(persona.id)))
        yield OptionList(*options, id="switcher")

    def on_mount(self) -> None:
        switcher = self.query_one(OptionList)
        ids = [p.id for p in self.personas]
        if self.active_id in ids:
            switcher.highlighted = ids.index(self.active_id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))
