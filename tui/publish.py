"""ctrl+s in the editor: from a draft to the outbox, always asking first.

1. The editor's text is saved: what is confirmed is what is stored (a draft the store
   refuses — too long, its persona gone — is not published, and the reason is shown).
2. A draft of another persona than the active one asks: publish it as its owner, move it
   to the active persona, or cancel.
3. The confirmation names the persona, the accounts and the send delay, and lists what the
   guard found; findings need an explicit override.
4. Queued: the notification names the persona only if it is the active one (another
   persona's accounts never appear on screen), and the outbox shows the post going out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from personae.store import Account, Draft, Persona, StoreError
from personae.store.text import one_line
from personae.tui.screens.modals import OtherPersonaDialog, PublishDialog
from personae.tui.widgets.compose import Compose

if TYPE_CHECKING:
    from personae.tui.screens.main import MainScreen


class PublishFlow:
    """The questions between ctrl+s and the outbox, for one main screen."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen

    def start(self, compose: Compose) -> None:
        app = self.screen.app
        store, active = app.store, app.persona
        if store is None or active is None:
            return
        try:
            draft = compose.save()
            owner = store.personas.get(draft.persona_id) if draft else None
        except StoreError as error:
            app.notify(f"not published: {one_line(str(error))}", severity="error", markup=False)
            return
        if draft is None or owner is None or not draft.text.strip():
            app.notify("nothing to publish yet", markup=False)
            return
        if owner.id == active.id:
            self.confirm(compose, draft, owner)
            return

        def decided(choice: str | None) -> None:
            if choice == "publish":
                self.confirm(compose, draft, owner)
            elif choice == "move" and active is not None:
                self.move(compose, draft, active)

        app.push_screen(OtherPersonaDialog(owner, active), decided)

    def move(self, compose: Compose, draft: Draft, active: Persona) -> None:
        """The draft becomes the active persona's, aimed at its accounts, then confirmed."""
        app = self.screen.app
        assert app.store is not None
        store = app.store
        try:
            moved = store.drafts.move(draft, active)
            moved = store.drafts.save(active.id, moved.text, [a.id for a in app.targets], moved.id)
        except StoreError as error:
            app.notify(f"not moved: {one_line(str(error))}", severity="error", markup=False)
            return
        compose.start(store, active, moved)
        self.confirm(compose, moved, active)

    def confirm(self, compose: Compose, draft: Draft, persona: Persona) -> None:
        """The last question: persona, accounts, delay and the guard's findings."""
        from personae.networks.posting import review

        app = self.screen.app
        assert app.store is not None
        store = app.store
        try:
            accounts = [a for a in store.accounts.list(persona.id) if a.id in draft.targets]
            result = review(store, persona, draft.text, accounts) if accounts else None
        except StoreError as error:  # e.g. a guard term that cannot be read: queue nothing
            app.notify(f"not published: {one_line(str(error))}", severity="error", markup=False)
            return
        if result is None:
            app.notify("choose the accounts first (ctrl+t)", severity="warning", markup=False)
            return
        if result.too_long or result.unusable:
            app.notify("; ".join(result.problems()), severity="error", markup=False)
            return

        def answered(override: bool | None) -> None:
            if override is not None:
                self.queue(compose, draft, persona, result.accounts, override)

        problems = [str(finding) for finding in result.findings]
        app.push_screen(PublishDialog(persona, result.accounts, problems, draft.text), answered)

    def queue(
        self,
        compose: Compose,
        draft: Draft,
        persona: Persona,
        accounts: list[Account],
        override: bool,
    ) -> None:
        from personae.networks.posting import queue

        app = self.screen.app
        store, active = app.store, app.persona
        if store is None or active is None:  # locked while the dialog was open
            return
        try:
            queue(store, draft, accounts, override=override)
        except StoreError as error:  # GuardRefused is one: the guard changed meanwhile
            app.notify(f"not queued: {one_line(str(error))}", severity="error", markup=False)
            return
        when = f"in {persona.send_delay} s" if persona.send_delay else "now"
        if persona.id == active.id:
            handles = ", ".join(one_line(a.handle) for a in accounts)
            note = f"queued as {one_line(persona.name)} to {handles}; goes out {when} (outbox: o)"
        else:  # it is another persona's post now: its accounts stay off this persona's screen
            note = f"queued 1 post of another persona; it goes out {when}"
        app.notify(note, markup=False)
        compose.start(store, active)
        self.screen.action_view("outbox" if persona.id == active.id else "compose")
