"""Unlocking the store, and creating it on the first run.

These screens ask; the app unlocks. Each posts what the user gave (``Submitted``) and the
app derives the key in a worker of its own (Argon2id, a few tenths of a second, off the
event loop), then replaces the screen. A worker of the screen would be cancelled by that
very replacement, which is how the first run once lost its ending."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Input, Static

from personae.store.text import one_line
from personae.tui.screens.base import PersonaeScreen
from personae.tui.widgets.clean import CleanInput
from personae.tui.widgets.header import IdentityHeader

MIN_PASSPHRASE = 8


class UnlockScreen(PersonaeScreen[None]):
    """Ask for the passphrase (never echoed); the app opens the store or unlocks it again."""

    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit", id="unlock.quit")]

    class Submitted(Message):
        """A passphrase to try."""

        def __init__(self, secret: str) -> None:
            super().__init__()
            self.secret = secret

    def __init__(self, store_dir: Path | None, given: str | None = None) -> None:
        super().__init__()
        self.store_dir, self.given = store_dir, given

    def compose(self) -> ComposeResult:
        header = IdentityHeader()
        header.identity = self.app.identity()
        yield header
        with Vertical(classes="dialog", id="unlock"):
            yield Static(Content("Unlock personae"), classes="dialog-title")
            where = str(self.store_dir) if self.store_dir else "the open store"
            yield Static(Content(f"Store: {where}"), classes="dim")
            # A passphrase given with the command is tried at once: the field starts
            # disabled (no focus moving away from it, no footer rebuilt, fewer frames).
            waiting = self.given is not None
            yield Input(password=True, placeholder="passphrase", id="passphrase", disabled=waiting)
            yield Static(Content("unlocking…" if waiting else ""), id="unlock-message")
        yield Footer()

    def on_mount(self) -> None:
        if self.given is not None:
            self._start(self.given)
            self.given = None

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        secret, event.input.value = event.value, ""
        if secret:
            self.say("unlocking…")
            self.query_one(Input).disabled = True
            self._start(secret)

    def _start(self, secret: str) -> None:
        self.post_message(self.Submitted(secret))
        # While the app's thread derives the key and reads the store (neither holds the
        # GIL), this thread loads the main screen's code, once this frame is out.
        self.call_after_refresh(import_module, "personae.tui.screens.main")

    def failed(self, message: str) -> None:
        """The passphrase did not open the store: say why and ask again."""
        self.say(message)
        field = self.query_one(Input)
        field.disabled = False
        field.focus()

    def say(self, message: str) -> None:
        self.query_one("#unlock-message", Static).update(Content(one_line(message)))


class FirstRunScreen(PersonaeScreen[None]):
    """No store yet: choose a passphrase (twice) and name the first persona."""

    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit", id="firstrun.quit")]

    class Submitted(Message):
        """Create the store with ``secret`` and a first persona called ``name``."""

        def __init__(self, secret: str, name: str) -> None:
            super().__init__()
            self.secret, self.name = secret, name

    def __init__(self, store_dir: Path) -> None:
        super().__init__()
        self.store_dir = store_dir

    def compose(self) -> ComposeResult:
        header = IdentityHeader()
        header.identity = self.app.identity()
        yield header
        with Vertical(classes="dialog", id="firstrun"):
            yield Static(Content("Welcome to personae"), classes="dialog-title")
            yield Static(
                Content(f"A new encrypted store will be created in {self.store_dir}."),
                classes="dim",
            )
            yield Input(password=True, placeholder="new passphrase (8+ characters)", id="new1")
            yield Input(password=True, placeholder="the same passphrase again", id="new2")
            yield CleanInput(placeholder="your first persona's name, e.g. Work", id="first-name")
            yield Static(Content(""), id="firstrun-message")
        yield Footer()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        order = ["new1", "new2", "first-name"]
        current = order.index(event.input.id or "new1")
        if current < len(order) - 1:
            self.query_one(f"#{order[current + 1]}", Input).focus()
            return
        first, second, name = (self.query_one(f"#{i}", Input).value for i in order)
        problem = self._check(first, second, name)
        if problem:
            self.say(problem)
            return
        self.say("creating the store…")
        self.post_message(self.Submitted(first, name.strip()))

    @staticmethod
    def _check(first: str, second: str, name: str) -> str:
        if len(first) < MIN_PASSPHRASE:
            return f"choose a passphrase of at least {MIN_PASSPHRASE} characters"
        if first != second:
            return "the two passphrases differ"
        if not name.strip():
            return "name your first persona"
        return ""

    def say(self, message: str) -> None:
        self.query_one("#firstrun-message", Static).update(Content(one_line(message)))
