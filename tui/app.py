"""The personae app: one persona at a time, always named on screen, swapped by one key.

The app keeps the lifecycle: unlocking and locking, which persona is active (every change
goes through ``activate``, which saves the open draft to its own persona and repoints
header, timeline, editor, drafts and outbox in one synchronous call — Textual paints after
the handler returns, so no frame mixes personas) and the background sync. Screens show that
state and own their flows (publishing lives with the main screen); they tell the app what
happened with messages: a passphrase to try, a store to create, personas that changed."""

from __future__ import annotations

import getpass
import signal
import socket
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import ModalScreen, Screen

from personae.store import Account, NotFound, Persona, Store, StoreError, TamperedValue, files
from personae.store.text import one_line
from personae.tui.config import Config
from personae.tui.config import load as load_config
from personae.tui.unlocking import Indexes, Opener, first_persona, read_ahead
from personae.tui.widgets.header import Identity, IdentityHeader

if TYPE_CHECKING:
    from textual.command import Provider

    from personae.tui.background import Outcome
    from personae.tui.screens.main import MainScreen
    from personae.tui.screens.personas import PersonasScreen
    from personae.tui.screens.unlock import FirstRunScreen, UnlockScreen

PUBLISH_TICK = 2.0  # seconds between looks at the outbox for posts that are due
WARM_AFTER = 0.3  # seconds after a persona is shown before the others' indexes are read


def _switch_bindings() -> list[Binding]:
    return [
        Binding(str(n), f"switch({n})", f"Persona {n}", show=False, id=f"persona.{n}")
        for n in range(1, 10)
    ]


def _persona_commands() -> type[Provider]:
    """The palette's persona provider, imported when the palette first opens."""
    from personae.tui.palette import PersonaCommands

    return PersonaCommands


class PersonaeApp(App[object]):
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses find it too
    TITLE = "personae"
    COMMANDS = App.COMMANDS | {_persona_commands}
    BINDINGS = [
        *_switch_bindings(),
        Binding("minus", "previous", "Previous persona", show=False, id="persona.previous"),
        Binding("ctrl+l", "lock", "Lock", show=False, priority=True, id="lock"),
        Binding("question_mark", "keys", "Keys", id="app.keys"),
        # F1 types nothing, so it may come first everywhere, dialogs and editor included
        # (an id of its own: remapping app.keys to a letter must not make a letter do so).
        Binding("f1", "keys", "Keys", priority=True, id="app.keys.f1"),
    ]

    class Opened(Message):
        """The unlocking worker opened ``store`` (and read the first persona's index)."""

        def __init__(self, store: Store, indexes: Indexes) -> None:
            super().__init__()
            self.store, self.indexes = store, indexes

    def __init__(
        self,
        store_dir: Path | None = None,
        *,
        store: Store | None = None,
        passphrase: str | None = None,
        config: Config | None = None,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        user: str | None = None,
        host: str | None = None,
        demo_note: str = "",
    ) -> None:
        super().__init__()
        self.store_dir, self.store, self.given = store_dir, store, passphrase
        self.config = config or load_config()
        self.now, self.monotonic = clock, monotonic
        self.where = f"{user or _user()}@{host or socket.gethostname().split('.')[0]}"
        self.demo_note = demo_note
        self.persona: Persona | None = None
        self.previous_id: int | None = None
        self.remembered_id: int | None = None  # the persona to return to after unlocking
        self.targets: list[Account] = []
        self.last_activity = monotonic()
        self.terminal_title = "personae"
        self.main: MainScreen | None = None
        self.publishing = False
        self.opener = Opener(store_dir)

    # -- start --------------------------------------------------------------------------------

    async def on_mount(self) -> None:
        self._apply_config()
        self.set_interval(1.0, self.check_auto_lock)
        self.set_interval(PUBLISH_TICK, self.publish_tick)
        self.set_title("personae — locked")
        from personae.tui.screens.unlock import FirstRunScreen, UnlockScreen

        if self.store is not None and self.store.unlocked:
            await self.unlocked(self.store)
        elif self.store_dir is not None and not files.db_path(self.store_dir).exists():
            self.push_screen(FirstRunScreen(self.store_dir))
        else:
            self.push_screen(UnlockScreen(self.store_dir, self.given))
        self.given = None

    def _apply_config(self) -> None:
        """The keymap, and a warning for anything in config.toml that was not used."""
        problems = [self.config.problem] if self.config.problem else []
        if self.config.keymap:
            from personae.tui.keymap import unknown_ids_problem

            self.set_keymap(self.config.keymap)
            problems.append(unknown_ids_problem(self.config.keymap))
        for problem in filter(None, problems):
            self.notify(problem, severity="warning", timeout=10, markup=False)

    def open_ahead(self) -> None:
        """When the passphrase came with the command, start unlocking at once, in a thread."""
        if self.given is not None and self.store is None:
            self.opener.start(self.given)

    # -- unlock, first run, lock ----------------------------------------------------------------

    def on_unlock_screen_submitted(self, message: UnlockScreen.Submitted) -> None:
        self._unlock(message.secret)

    @work(thread=True, exclusive=True, group="unlock")
    def _unlock(self, secret: str) -> None:
        """Key derivation off the event loop, in a worker of the app: replacing the unlock
        screen when it is done cannot cancel it."""
        try:
            if self.store is None:
                store, indexes = self.opener.open(secret)
            else:
                store = self.store
                store.unlock(secret)
                indexes = read_ahead(store, self.remembered_id)
        except StoreError as error:
            self.call_from_thread(self._unlock_failed, str(error))
            return
        self.post_message(self.Opened(store, indexes))

    def _unlock_failed(self, message: str) -> None:
        from personae.tui.screens.unlock import UnlockScreen

        if isinstance(self.screen, UnlockScreen):
            self.screen.failed(message)

    def on_first_run_screen_submitted(self, message: FirstRunScreen.Submitted) -> None:
        self._create(message.secret, message.name)

    @work(thread=True, exclusive=True, group="unlock")
    def _create(self, secret: str, name: str) -> None:
        from personae.tui.unlocking import create

        assert self.store_dir is not None
        try:
            store = create(self.store_dir, secret, name)
        except StoreError as error:
            self.call_from_thread(self._create_failed, str(error))
            return
        self.post_message(self.Opened(store, {}))

    def _create_failed(self, message: str) -> None:
        from personae.tui.screens.unlock import FirstRunScreen

        if isinstance(self.screen, FirstRunScreen):
            self.screen.say(message)

    async def on_personae_app_opened(self, message: Opened) -> None:
        await self.unlocked(message.store, message.indexes)

    async def unlocked(self, store: Store, indexes: Indexes | None = None) -> None:
        """The store is open and its keys are in memory: show the remembered persona."""
        from personae.tui.screens.main import MainScreen

        self.store = store
        store.on_problem = self._problem
        self.last_activity = self.monotonic()
        if self.main is None:
            self.main = MainScreen()
            if len(self.screen_stack) > 1:
                await self.switch_screen(self.main)
            else:
                await self.push_screen(self.main)
        if indexes:
            self.main.timeline.indexes.update(indexes)
        chosen = first_persona(store.personas.list(), self.remembered_id)
        if chosen is not None:  # before the unlock screen goes: the first frame shows it
            self.activate(chosen, save=False)
        while self.screen is not self.main and len(self.screen_stack) > 1:
            await self.pop_screen()
        if chosen is None:
            self._ask_first_persona()
            return
        if self.demo_note:
            self.notify(self.demo_note, title="Demo", timeout=12, markup=False)
            self.demo_note = ""

    def _ask_first_persona(self) -> None:
        from personae.tui.screens.modals import PromptDialog

        def named(name: str | None) -> None:
            if self.store is None:
                return
            try:
                persona = self.store.personas.add(name or "Me")
            except StoreError as error:
                self.notify(one_line(str(error)), severity="error", markup=False)
                self._ask_first_persona()
                return
            self.activate(persona, save=False)

        self.push_screen(PromptDialog("First persona", "Name your first persona:"), named)

    def action_lock(self) -> None:
        """Save the draft, drop every decrypted cache and every key, ask for the passphrase."""
        from personae.tui.screens.unlock import UnlockScreen

        if self.store is None or not self.store.unlocked or self.main is None:
            return
        self.main.editor.flush()
        self.main.clear()
        while self.screen is not self.main and len(self.screen_stack) > 1:
            self.pop_screen()
        self.remembered_id = self.persona.id if self.persona else None
        self.persona, self.targets = None, []
        self.store.lock()
        self.set_title("personae — locked")
        self.refresh_bindings()
        self.push_screen(UnlockScreen(self.store_dir))

    def check_auto_lock(self) -> None:
        limit = self.config.auto_lock_seconds
        if limit and self.persona is not None and self.monotonic() - self.last_activity >= limit:
            self.action_lock()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown | events.Paste | events.MouseScrollDown):
            self.last_activity = self.monotonic()
        await super().on_event(event)

    def _problem(self, problem: TamperedValue) -> None:
        """A row that failed authentication: say so once, in one line, and carry on."""
        message = one_line(str(problem))
        try:
            self.call_from_thread(self.notify, message, severity="warning", markup=False)
        except RuntimeError:  # already on the app's thread
            self.notify(message, severity="warning", markup=False)

    # -- personas ---------------------------------------------------------------------------------

    def activate(self, persona: Persona, *, save: bool = True) -> None:
        """Make ``persona`` active everywhere at once; the open draft is saved first."""
        from personae.networks.posting import publishable

        store, main = self.store, self.main
        if store is None or main is None:
            return
        if save:
            main.editor.flush()
        was_locked = self.persona is None
        if self.persona is not None and self.persona.id != persona.id:
            self.previous_id = self.persona.id
        self.persona = persona
        self.targets = publishable(store, persona)
        personas = store.personas.list()
        identity = self.identity(len(personas))
        with self.batch_update():
            main.show_persona(store, persona, identity)
            self.refresh_headers(identity)
        # The other personas' indexes are read in a thread once this frame is out: the
        # thread takes the store's lock and the GIL (row by row), which the frame needs.
        ids = [p.id for p in personas]
        self.set_timer(WARM_AFTER, lambda: main.timeline.warm(store, ids))
        self.set_title(f"personae — {persona.glyph} {persona.name}")
        # Unlocking brings the persona keys to life; a swap changes no binding, and
        # refreshing them would rebuild the footer (~20 ms and two more frames).
        if was_locked:
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Persona keys and the lock key mean nothing (and are not shown) while locked."""
        if action in ("switch", "previous", "lock"):
            return self.persona is not None
        return True

    def identity(self, count: int | None = None) -> Identity:
        """What the headers show; ``count`` (of personas) saves a read when it is known."""
        persona = self.persona
        if persona is None or self.store is None:
            return Identity(None, where=self.where)
        if count is None:
            count = len(self.store.personas.list())
        position = f"{persona.position}/{count}" if persona.position else ""
        handles = tuple(f"{a.handle} ({a.network})" for a in self.targets)
        return Identity(persona, handles, position, self.where)

    def refresh_headers(self, identity: Identity | None = None) -> None:
        identity = identity or self.identity()
        for screen in self.screen_stack:
            if screen is self.main:  # its header is known: no walk through its widgets
                self.main.header.identity = identity
                continue
            for header in screen.query(IdentityHeader):
                header.identity = identity

    def set_title(self, title: str) -> None:
        """The terminal title follows the persona (OSC 2); handy in tmux over SSH."""
        self.terminal_title = one_line(title, 80)
        driver = self._driver
        if driver is not None and not self.is_headless:
            driver.write(f"\x1b]2;{self.terminal_title}\x07")

    def action_switch(self, position: int) -> None:
        if self.store is None or self.persona is None:
            return
        if isinstance(self.screen, ModalScreen):
            self.bell()  # finish the dialog first: it was opened as the current persona
            return
        persona = self.store.personas.at_position(position)
        if persona is None:
            self.notify(f"no persona on key {position}", markup=False)
        elif persona.id != self.persona.id:
            self.activate(persona)

    def action_previous(self) -> None:
        if self.store is None or self.persona is None or self.previous_id is None:
            return
        if isinstance(self.screen, ModalScreen):
            self.bell()
            return
        try:
            self.activate(self.store.personas.get(self.previous_id))
        except NotFound:
            self.previous_id = None

    def switch_to(self, persona_id: int) -> None:
        if self.store is not None and self.persona is not None and persona_id != self.persona.id:
            self.activate(self.store.personas.get(persona_id))

    def action_switcher(self) -> None:
        from personae.tui.screens.modals import SwitcherDialog

        if self.store is None or self.persona is None:
            return

        def chosen(persona_id: int | None) -> None:
            if persona_id:
                self.switch_to(persona_id)

        personas = self.store.personas.list()
        self.push_screen(SwitcherDialog(personas, self.persona.id), chosen)

    def action_personas(self) -> None:
        from personae.tui.screens.personas import PersonasScreen

        if self.store is not None and self.persona is not None:
            self.push_screen(PersonasScreen())

    def on_personas_screen_changed(self, message: PersonasScreen.Changed) -> None:
        """A persona was renamed, recoloured, moved, got accounts or was deleted: show it
        everywhere; if the active one is gone, the first one takes over."""
        store = self.store
        if store is None or self.persona is None:
            return
        if self.previous_id is not None and not _exists(store, self.previous_id):
            self.previous_id = None
        if _exists(store, self.persona.id):
            self.activate(store.personas.get(self.persona.id))
            return
        personas = store.personas.list()
        self.persona = None  # the deleted one must not become the "previous" persona
        if personas:
            self.activate(personas[0])

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """ctrl+p: every action the bindings offer (personas come from PersonaCommands)."""
        from personae.tui.palette import binding_commands

        yield from super().get_system_commands(screen)
        if self.persona is not None:
            yield from binding_commands(self, screen)

    def action_keys(self) -> None:
        """? or F1: every key of the current screen, with what it does."""
        from personae.tui.screens.keys import KeyHelpScreen, key_rows

        if isinstance(self.screen, KeyHelpScreen):
            self.screen.dismiss(None)
        else:
            self.push_screen(KeyHelpScreen(key_rows(self.screen)))

    # -- background sync --------------------------------------------------------------------------

    def action_refresh(self) -> None:
        if self.persona is not None:
            self.status("refreshing…")
            self._sync(refresh=True)

    def action_publish_now(self) -> None:
        """Send what is due now, offline posts included (the outbox's ``u``)."""
        if self.persona is not None:
            self.status("publishing…")
            self._sync(refresh=False, retry_now=True)

    def publish_tick(self) -> None:
        """Publish what became due (the send delay passed), in the background."""
        store = self.store
        if store is None or not store.unlocked or self.publishing or self.persona is None:
            return
        now = time.time()
        if any(e.next_attempt <= now for e in store.outbox.pending()):
            self._sync(refresh=False)

    @work(thread=True, group="sync")
    def _sync(self, *, refresh: bool, retry_now: bool = False) -> None:
        """One background sync; what it says reaches the screen through ``_progress`` and
        ``_synced``, which decide by persona what may be shown."""
        from personae.tui.background import sync

        store, active = self.store, self.persona
        if store is None or active is None:
            return
        self.publishing = True

        def say(persona_id: int, message: str) -> None:
            self.call_from_thread(self._progress, persona_id, message)

        try:
            outcome = sync(store, active.id, refresh=refresh, retry_now=retry_now, say=say)
        except StoreError as error:
            self.call_from_thread(self.status, one_line(str(error)))
            return
        finally:
            self.publishing = False
        self.call_from_thread(self._synced, outcome)

    def _progress(self, persona_id: int, message: str) -> None:
        from personae.tui.background import progress_line

        if self.persona is not None:
            self.status(progress_line(persona_id, self.persona.id, message))

    def _synced(self, outcome: Outcome) -> None:
        from personae.tui.background import shown

        if self.persona is None or self.main is None:
            return  # locked meanwhile: nothing of it is shown
        seen = shown(outcome, self.persona.id)
        for note, severity in seen.notes:
            self.notify(note, severity=severity, markup=False)
        self.main.timeline.reload()
        self.main.outbox.reload()
        self.status(seen.status)

    def status(self, message: str) -> None:
        if self.main is not None and self.persona is not None:
            self.main.status(message)

    # -- quitting -------------------------------------------------------------------------------

    async def action_quit(self) -> None:
        self._save_before_exit()
        await super().action_quit()

    def _save_before_exit(self) -> None:
        if self.main is not None and self.store is not None and self.store.unlocked:
            self.main.editor.flush()


def _exists(store: Store, persona_id: int) -> bool:
    try:
        store.personas.get(persona_id)
    except NotFound:
        return False
    return True


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "?"


def _exit_on_hangup(app: App[object]) -> None:
    """A closed terminal or SSH session (SIGHUP) or a SIGTERM ends the app normally."""
    for number in (signal.SIGHUP, signal.SIGTERM):
        signal.signal(number, lambda *_: app.exit())


def run_app(store_dir: Path | None, *, demo: bool = False, passphrase: str | None = None) -> int:
    """Start the app (``personae``), or the demo on a throwaway store (``personae --demo``)."""
    if demo:
        from personae.tui.demo import Demo

        with Demo() as sandbox:
            app = PersonaeApp(store=sandbox.store, demo_note=sandbox.note)
            _exit_on_hangup(app)  # so the throwaway store is removed then too
            app.run()
            return app.return_code or 0
    app = PersonaeApp(store_dir, passphrase=passphrase)
    _exit_on_hangup(app)
    app.open_ahead()
    app.run()
    if app.store is not None:
        app.store.close()
    return app.return_code or 0
