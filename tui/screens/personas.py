"""The personas screen: add, rename, recolour, re-glyph, reorder (keys 1–9), send delay,
delete (type the name), and each persona's accounts, feeds and guard terms.

It changes the store itself and then tells the app with a ``Changed`` message, which shows
the change everywhere (or, when the active persona was deleted, activates another)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from personae.store import NAMED_COLOURS, GuardTerm, Persona, Store, StoreError
from personae.store.text import one_line
from personae.tui.screens.base import PersonaeScreen
from personae.tui.screens.modals import PromptDialog, TypeNameDialog
from personae.tui.widgets.header import IdentityHeader, band


class PersonasScreen(PersonaeScreen[None]):
    BINDINGS = [
        # The footer shows the most used; ? lists them all.
        Binding("escape", "app.pop_screen", "Back", id="personas.back"),
        Binding("a", "add", "Add", id="personas.add"),
        Binding("n", "rename", "Rename", id="personas.rename"),
        Binding("c", "colour", "Colour", show=False, id="personas.colour"),
        Binding("g", "glyph", "Glyph", show=False, id="personas.glyph"),
        Binding("left_square_bracket", "move(-1)", "Key -1", show=False, id="personas.up"),
        Binding("right_square_bracket", "move(1)", "Key +1", show=False, id="personas.down"),
        Binding("w", "delay", "Send delay", show=False, id="personas.delay"),
        Binding("A", "add_account", "Account+", id="personas.account_add"),
        Binding("F", "add_feed", "Feed+", id="personas.feed_add"),
        Binding("G", "add_term", "Guard+", show=False, id="personas.guard_add"),
        Binding("x", "remove_thing", "Remove…", show=False, id="personas.remove"),
        Binding("v", "verify", "Verify", show=False, id="personas.verify"),
        Binding("D", "delete", "Delete", id="personas.delete"),
    ]

    class Changed(Message):
        """Personas, their accounts or their order changed (one may be gone)."""

    def __init__(self) -> None:
        super().__init__()
        self.personas: list[Persona] = []

    @property
    def store(self) -> Store:
        store = self.app.store
        assert store is not None  # the screen is only shown while the store is open
        return store

    def compose(self) -> ComposeResult:
        header = IdentityHeader()
        header.identity = self.app.identity()
        yield header
        yield Static(Text(" Personas — keys 1–9 follow this order", Style(bold=True)))
        with Horizontal():
            yield OptionList(id="persona-list")
            with VerticalScroll(id="persona-details"):
                yield Static(id="details")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    def reload(self, select: int | None = None) -> None:
        current = self.selected()
        keep = select if select is not None else (current.id if current else None)
        self.personas = self.store.personas.list()
        listing = self.query_one(OptionList)
        listing.clear_options()
        for persona in self.personas:
            line = Text(f"{persona.position or '-'} ")
            line.append_text(band(persona, 26))
            listing.add_option(Option(line, id=str(persona.id)))
        ids = [p.id for p in self.personas]
        if ids:
            listing.highlighted = ids.index(keep) if keep in ids else 0
        listing.focus()
        self.show_details()

    def selected(self) -> Persona | None:
        if not self.personas:
            return None
        index = self.query_one(OptionList).highlighted
        return self.personas[index] if index is not None and index < len(self.personas) else None

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show_details()

    def show_details(self) -> None:
        persona = self.selected()
        details = self.query_one("#details", Static)
        if persona is None:
            details.update(Text("No persona yet: press a to add one."))
            return
        text = Text()
        text.append(f"{one_line(persona.glyph)} {one_line(persona.name)}\n", Style(bold=True))
        text.append(f"key {persona.position or '-'} · colour {persona.colour} · ")
        text.append(f"send delay {persona.send_delay} s\n")
        text.append("\nAccounts\n", Style(bold=True, underline=True))
        for account in self.store.accounts.list(persona.id):
            state = f" — paused: {one_line(account.pause_reason, 60)}" if account.paused else ""
            text.append(
                f"  {one_line(account.handle)} ({account.network}, {_server(account.server)})"
                f"{state}\n"
            )
        text.append("\nFeeds\n", Style(bold=True, underline=True))
        for feed in self.store.feeds.list(persona.id):
            error = f" — {one_line(feed.last_error, 60)}" if feed.last_error else ""
            text.append(f"  {one_line(feed.url, 70)} [{feed.state}]{error}\n")
        text.append("\nGuard terms\n", Style(bold=True, underline=True))
        for term in self.store.guard.list(persona.id):
            text.append(f"  {term.kind:<8} {one_line(term.term)}\n")
        details.update(text)

    # -- changes ------------------------------------------------------------------------------

    def _ask(self, title: str, label: str, then: Callable[[str], Any], value: str = "") -> None:
        def answered(answer: str | None) -> None:
            if answer is None or not answer.strip():
                return
            try:
                result = then(answer.strip())
            except StoreError as error:
                self.app.notify(one_line(str(error)), severity="error", markup=False)
                return
            chosen = result.id if isinstance(result, Persona) else None
            self.post_message(self.Changed())
            self.reload(select=chosen)

        self.app.push_screen(PromptDialog(title, label, value), answered)

    def action_add(self) -> None:
        self._ask("Add persona", "Name of the new persona:", self.store.personas.add)

    def action_rename(self) -> None:
        if persona := self.selected():
            rename = lambda name: self.store.personas.rename(persona, name)  # noqa: E731
            self._ask("Rename persona", "New name:", rename, persona.name)

    def action_colour(self) -> None:
        if persona := self.selected():
            names = ", ".join(NAMED_COLOURS)
            recolour = lambda c: self.store.personas.set_colour(persona, c)  # noqa: E731
            self._ask("Colour", f"#rrggbb or one of {names}:", recolour, persona.colour)

    def action_glyph(self) -> None:
        if persona := self.selected():
            glyph = lambda g: self.store.personas.set_glyph(persona, g)  # noqa: E731
            self._ask("Glyph", "One visible character:", glyph, persona.glyph)

    def action_delay(self) -> None:
        if persona := self.selected():

            def delay(value: str) -> Persona:
                if not value.isdigit():
                    from personae.store import Invalid

                    raise Invalid("the send delay is a whole number of seconds")
                return self.store.personas.set_send_delay(persona, int(value))

            label = "Seconds a queued post waits (you can cancel it meanwhile):"
            self._ask("Send delay", label, delay, str(persona.send_delay))

    def action_move(self, step: int) -> None:
        persona = self.selected()
        if persona is None:
            return
        position = (persona.position or 10) + step
        if 1 <= position <= 9:
            self.store.personas.move(persona, position)
            self.post_message(self.Changed())
            self.reload(select=persona.id)

    def action_delete(self) -> None:
        persona = self.selected()
        if persona is None:
            return
        if len(self.personas) == 1:
            self.app.notify("keep at least one persona", markup=False)
            return
        counts = (
            f"{len(self.store.accounts.list(persona.id))} accounts, "
            f"{len(self.store.feeds.list(persona.id))} feeds, "
            f"{self.store.timeline.count(persona.id)} items"
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                try:
                    self.store.personas.remove(persona)
                except StoreError as error:
                    self.app.notify(one_line(str(error)), severity="error", markup=False)
                self.post_message(self.Changed())
                self.reload()
            elif yes is False:
                self.app.notify("the name did not match; nothing deleted", markup=False)

        self.app.push_screen(TypeNameDialog(persona, counts), confirmed)

    def action_add_feed(self) -> None:
        from personae.networks.subscriptions import add_feed

        persona = self.selected()
        if persona is None:
            return

        def chosen(url: str | None) -> None:
            if url and url.strip():
                self._add_checked(url.strip(), lambda: add_feed(self.store, persona, url))

        self.app.push_screen(PromptDialog("Add feed", "Feed address (https://…):"), chosen)

    def action_add_term(self) -> None:
        if persona := self.selected():

            def add(value: str) -> GuardTerm:
                kind, _, term = value.partition(" ")
                return self.store.guard.add(persona, kind.lower(), term)

            label = "'own TERM' (belongs to this persona) or 'blocked TERM' (never post):"
            self._ask("Add guard term", label, add)

    def action_add_account(self) -> None:
        persona = self.selected()
        if persona is None:
            return

        def chosen(value: str | None) -> None:
            if value and value.strip():
                self._account_details(persona, value.split())

        label = "NETWORK HANDLE [SERVER], e.g. mastodon dan@acme.social https://acme.social"
        self.app.push_screen(PromptDialog("Add account", label), chosen)

    def _account_details(self, persona: Persona, parts: list[str]) -> None:
        from personae.networks.errors import NetworkError
        from personae.networks.registry import load

        try:
            network = load(parts[0])
        except NetworkError as error:
            self.app.notify(one_line(str(error)), severity="error", markup=False)
            return
        if len(parts) < 2:
            self.app.notify("give the account's handle after the network", markup=False)
            return
        handle = parts[1]
        server = parts[2] if len(parts) > 2 else network.capabilities.default_server
        if not server:
            self.app.notify(f"{network.title} needs a server address", markup=False)
            return
        if not network.capabilities.needs_secret:
            self._add_account(persona, network.name, handle, server, "")
            return
        label = f"{network.capabilities.secret_label.capitalize()} for {handle}:"

        def secret(value: str | None) -> None:
            if value:
                self._add_account(persona, network.name, handle, server, value)

        self.app.push_screen(PromptDialog("Account secret", label, password=True), secret)

    def _add_account(
        self, persona: Persona, network_name: str, handle: str, server: str, secret: str
    ) -> None:
        from personae.networks.accounts import add_account

        self._add_checked(
            handle, lambda: add_account(self.store, persona, network_name, handle, server, secret)
        )

    @work(thread=True, group="verify")
    def _add_checked(self, label: str, add: Callable[[], object]) -> None:
        """Add an account or a feed in a worker: it is saved only once its server answered
        (a login, a feed that parses), as the command line does."""
        from personae.networks.errors import NetworkError

        app = self.app
        app.call_from_thread(app.notify, f"checking {one_line(label)}…", markup=False)
        try:
            add()
        except (NetworkError, StoreError) as error:
            app.call_from_thread(
                app.notify, f"not added: {one_line(str(error))}", severity="error", markup=False
            )
            return
        app.call_from_thread(app.notify, f"added {one_line(label)}", markup=False)
        self.post_message(self.Changed())
        app.call_from_thread(self.reload)

    def action_remove_thing(self) -> None:
        persona = self.selected()
        if persona is None:
            return

        def remove(value: str) -> None:
            store = self.store
            for account in store.accounts.list(persona.id):
                if account.handle.lstrip("@").casefold() == value.lstrip("@").casefold():
                    return store.accounts.remove(account)
            for feed in store.feeds.list(persona.id):
                if feed.url == value:
                    return store.feeds.remove(feed)
            return store.guard.remove(persona, value)

        label = "The account handle, feed address or guard term to remove:"
        self._ask("Remove", label, remove)

    @work(thread=True, group="verify")
    def action_verify(self) -> None:
        """Log in to each account and fetch each feed of the persona; report each result."""
        from personae.networks.base import Source
        from personae.networks.errors import NetworkError
        from personae.networks.registry import load

        app = self.app
        persona = app.call_from_thread(self.selected)
        if persona is None:
            return
        results = []
        for account in self.store.accounts.list(persona.id):
            source = Source.for_account(account)
            try:
                load(account.network).verify(source)
                results.append(f"{one_line(account.handle)}: ok")
            except NetworkError as error:
                results.append(f"{one_line(account.handle)}: {one_line(str(error))}")
        for feed in self.store.feeds.list(persona.id):
            try:
                found = load("rss").verify(Source.for_feed(feed))
                results.append(f"{one_line(found.handle, 40)}: ok")
            except NetworkError as error:
                results.append(f"{one_line(feed.url, 40)}: {one_line(str(error))}")
        message = "\n".join(results) or "nothing to verify"
        app.call_from_thread(app.notify, message, title="Verify", timeout=10, markup=False)


def _server(server: str) -> str:
    """A server address, or for a local folder only its last part (no private paths)."""
    if server.startswith("/"):
        return "folder …/" + server.rstrip("/").rsplit("/", 1)[-1]
    return one_line(server, 40)
