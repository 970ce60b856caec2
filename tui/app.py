"""The personae app: one persona at a time, always named on screen, swapped by one key.

State lives here (the store, the active persona, the previous one); screens and widgets
show it. Every change of persona goes through ``activate``, which saves the open draft to
its own persona and then repoints header, timeline, editor, drafts and outbox in one
synchronous call — Textual paints after the handler returns, so no frame mixes personas."""

from __future__ import annotations

import contextlib
import getpass
import signal
import socket
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import ModalScreen, Screen

from personae.store import (
    Account,
    Item,
    NotFound,
    Persona,
    SourceKind,
    Store,
    StoreError,
    TamperedValue,
    files,
)
from personae.store.text import one_line
from personae.tui.config import Config
from personae.tui.config import load as load_config
from personae.tui.widgets.header import Identity, IdentityHeader

PUBLISH_TICK = 2.0  # seconds between looks at the outbox for posts that are due
WARM_AFTER = 0.3  # seconds after a persona is shown before the others' indexes are read
Indexes = dict[int, tuple[list[int], dict[int, bool]]]  # persona -> timeline ids, read marks


def _switch_bindings() -> list[Binding]:
    return [
        Binding(str(n), f"switch({n})", f"Persona {n}", show=False, id=f"persona.{n}")
        for n in range(1, 10)
    ]


class PersonaeApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "personae"
    BINDINGS = [
        *_switch_bindings(),
        Binding("minus", "previous", "Previous persona", id="persona.previous"),
        Binding("ctrl+l", "lock", "Lock", priority=True, id="lock"),
    ]

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
        self.main: Screen | None = None
        self.publishing = False
        self._ahead: tuple[str, Future[tuple[Store, Indexes]]] | None = None

    # -- start, unlock, lock --------------------------------------------------------------------

    async def on_mount(self) -> None:
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        if self.config.problem:
            self.notify(self.config.problem, severity="warning", markup=False)
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

    def first_persona(self, personas: list[Persona]) -> Persona | None:
        """The persona to show on unlocking: the one shown before locking, else the first."""
        return next((p for p in personas if p.id == self.remembered_id), None) or next(
            iter(personas), None
        )

    def open_ahead(self) -> None:
        """When the passphrase came with the command (PERSONAE_PASSPHRASE or a file), start
        unlocking at once, in a thread: key derivation and the first reads of the store run
        while the terminal and the first screen start up."""
        store_dir, secret = self.store_dir, self.given
        if secret is None or store_dir is None or self.store is not None:
            return
        if not files.db_path(store_dir).exists():
            return
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="personae-unlock")
        self._ahead = (secret, pool.submit(self._open, store_dir, secret))
        pool.shutdown(wait=False)

    def opened(self, store_dir: Path, secret: str) -> tuple[Store, Indexes]:
        """The store unlocked with ``secret`` and its first index: the unlocking started
        ahead if it was for this passphrase, else done now, in the calling thread."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] == secret:
            return ahead[1].result()  # raises the StoreError Store.open raised
        return self._open(store_dir, secret)

    def _open(self, store_dir: Path, secret: str) -> tuple[Store, Indexes]:
        store = Store.open(store_dir, secret)
        return store, self.read_ahead(store)

    def read_ahead(self, store: Store) -> Indexes:
        """In the unlocking thread: the timeline index (ids and read marks, nothing
        decrypted) of the persona about to be shown, so the first frame needs no query."""
        from personae.tui.widgets.timeline import ids_and_marks

        try:
            persona = self.first_persona(store.personas.list())
            return {persona.id: ids_and_marks(store, persona.id)} if persona else {}
        except StoreError:
            return {}  # the app reads it again, and says what is wrong

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
            self.main.timeline.indexes.update(indexes)  # type: ignore[attr-defined]
        chosen = self.first_persona(store.personas.list())
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
            try:
                persona = self.store.personas.add(name or "Me")  # type: ignore[union-attr]
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
        self._compose().flush()
        self.main.clear()  # type: ignore[attr-defined]
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

        store = self.store
        if store is None or self.main is None:
            return
        if save:
            self._compose().flush()
        was_locked = self.persona is None
        if self.persona is not None and self.persona.id != persona.id:
            self.previous_id = self.persona.id
        self.persona = persona
        self.targets = publishable(store, persona)
        personas = store.personas.list()
        identity = self.identity(len(personas))
        with self.batch_update():
            self.main.show_persona(store, persona, identity)  # type: ignore[attr-defined]
            self.refresh_headers(identity)
        # The other personas' indexes are read in a thread once this frame is out: the
        # thread takes the store's lock and the GIL (row by row), which the frame needs.
        ids = [p.id for p in personas]
        self.set_timer(WARM_AFTER, lambda: self._timeline().warm(store, ids))
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
                screen.header.identity = identity  # type: ignore[attr-defined]
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

    def personas_changed(self) -> None:
        """A persona was renamed, recoloured, moved or got accounts: show it everywhere."""
        if self.store is None or self.persona is None:
            return
        try:
            self.activate(self.store.personas.get(self.persona.id))
        except NotFound:
            personas = self.store.personas.list()
            if personas:
                self.persona = None
                self.activate(personas[0], save=False)

    def forget_persona(self, persona: Persona) -> None:
        """Delete a persona; if it was the active one, the next one takes over."""
        if self.store is None:
            return
        if self.persona is not None and self.persona.id == persona.id:
            self._compose().clear()
        self.store.personas.remove(persona)
        if self.previous_id == persona.id:
            self.previous_id = None
        self.personas_changed()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """ctrl+p: every persona by name, and every action the bindings offer."""
        yield from super().get_system_commands(screen)
        if self.store is None or self.persona is None:
            return
        for persona in self.store.personas.list():
            if persona.id != self.persona.id:
                yield SystemCommand(
                    f"Switch to {persona.name}",
                    f"Act as {persona.glyph} {persona.name} (key {persona.position or '-'})",
                    lambda pid=persona.id: self.switch_to(pid),
                )
        seen = {"Quit"}
        for _key, active in screen.active_bindings.items():
            binding = active.binding
            if binding.description and binding.description not in seen and active.enabled:
                seen.add(binding.description)
                yield SystemCommand(
                    binding.description,
                    f"key {self.get_key_display(binding)}",
                    lambda b=binding, node=active.node: self.call_later(
                        self.run_action, b.action, node
                    ),
                )

    # -- timeline, sync -------------------------------------------------------------------------

    def describe_source(self, item: Item) -> str:
        if self.store is None:
            return ""
        try:
            if item.source == SourceKind.FEED:
                return f"feed {self.store.feeds.get(item.source_id).url}"
            account = self.store.accounts.get(item.source_id)
            return f"{account.network} account {account.handle}"
        except (NotFound, TamperedValue):
            return f"{item.source} {item.source_id} (removed)"

    def action_refresh(self) -> None:
        if self.persona is not None:
            self.status(f"refreshing {self.persona.name}…")
            self._sync(self.persona.id, refresh=True)

    def action_publish_now(self) -> None:
        if self.persona is not None:
            self.status("publishing…")
            self._sync(None, refresh=False, retry_now=True)

    def publish_tick(self) -> None:
        """Publish what became due (the send delay passed), in the background."""
        store = self.store
        if store is None or not store.unlocked or self.publishing or self.persona is None:
            return
        now = time.time()
        if any(e.next_attempt <= now for e in store.outbox.pending()):
            self._sync(None, refresh=False)

    @work(thread=True, group="sync")
    def _sync(self, persona_id: int | None, *, refresh: bool, retry_now: bool = False) -> None:
        """One run of the sync engine; afterwards the accounts that published are read back,
        so a post to the demo's local target shows up in the timeline."""
        from personae.networks.sync import SyncEngine

        store = self.store
        if store is None:
            return
        self.publishing = True
        say = lambda message: self.call_from_thread(self.status, message)  # noqa: E731
        try:
            engine = SyncEngine(store)
            report = engine.run(persona_id, refresh=refresh, retry_now=retry_now, progress=say)
            if report.published and self.persona is not None:
                again = engine.run(self.persona.id, publish=False, progress=say)
                report.fetched.update(again.fetched)
                report.errors.extend(again.errors)
        except StoreError as error:
            self.call_from_thread(self.status, one_line(str(error)))
            return
        finally:
            self.publishing = False
        self.call_from_thread(self._synced, report)

    def _synced(self, report) -> None:
        for line in report.errors + report.failed + report.paused:
            self.notify(one_line(line, 200), severity="warning", markup=False)
        for line in report.published:
            self.notify(f"published {one_line(line, 200)}", markup=False)
        new = sum(report.fetched.values())
        summary = "offline: queued posts wait" if report.offline else f"{new} new"
        if self.main is not None and self.persona is not None:
            from personae.tui.widgets.lists import OutboxTable
            from personae.tui.widgets.timeline import TimelineView

            self.main.query_one(TimelineView).reload()
            self.main.query_one(OutboxTable).reload()
        self.status(summary)

    def status(self, message: str) -> None:
        if self.main is not None and self.persona is not None:
            self.main.status(message)  # type: ignore[attr-defined]

    # -- publishing ----------------------------------------------------------------------------

    def _timeline(self):
        assert self.main is not None
        return self.main.timeline  # type: ignore[attr-defined]

    def _compose(self):
        assert self.main is not None
        return self.main.editor  # type: ignore[attr-defined]

    def publish_draft(self, compose) -> None:
        """ctrl+s in the editor: the other-persona question if needed, then confirmation."""
        from personae.tui.screens.modals import OtherPersonaDialog

        store, active = self.store, self.persona
        draft = compose.flush() or _get_draft(store, compose.draft_id)
        if store is None or active is None or draft is None or not draft.text.strip():
            self.notify("nothing to publish yet", markup=False)
            return
        owner = store.personas.get(draft.persona_id)
        if owner.id == active.id:
            self._confirm(compose, draft, owner)
            return

        def decided(choice: str | None) -> None:
            if choice == "publish":
                self._confirm(compose, draft, owner)
            elif choice == "move":
                moved = store.drafts.move(draft, active)
                targets = [a.id for a in self.targets]
                moved = store.drafts.save(active.id, moved.text, targets, moved.id)
                compose.start(store, active, moved)
                self._confirm(compose, moved, active)

        self.push_screen(OtherPersonaDialog(owner, active), decided)

    def _confirm(self, compose, draft, persona: Persona) -> None:
        from personae.networks.posting import GuardRefused, queue, review
        from personae.tui.screens.modals import PublishDialog

        store = self.store
        assert store is not None
        accounts = [a for a in store.accounts.list(persona.id) if a.id in draft.targets]
        if not accounts:
            self.notify("choose the accounts first (ctrl+t)", severity="warning", markup=False)
            return
        result = review(store, persona, draft.text, accounts)
        if result.too_long or result.unusable:
            self.notify("; ".join(result.problems()), severity="error", markup=False)
            return

        def answered(answer: dict | None) -> None:
            if not answer:
                return
            try:
                queue(store, draft, accounts, override=answer["override"])
            except (GuardRefused, StoreError) as error:
                self.notify(one_line(str(error)), severity="error", markup=False)
                return
            when = f"in {persona.send_delay} s" if persona.send_delay else "now"
            self.notify(
                f"queued as {persona.name} to {', '.join(a.handle for a in accounts)}; "
                f"goes out {when} (outbox: o)",
                markup=False,
            )
            compose.start(store, self.persona)
            self.main.action_view("outbox")  # type: ignore[union-attr]  # watch it go out

        problems = [str(f) for f in result.findings]
        self.push_screen(PublishDialog(persona, accounts, problems, draft.text), answered)

    # -- quitting -------------------------------------------------------------------------------

    async def action_quit(self) -> None:
        self._save_before_exit()
        await super().action_quit()

    def _save_before_exit(self) -> None:
        if self.main is not None and self.store is not None and self.store.unlocked:
            with contextlib.suppress(StoreError):
                self._compose().flush()


def _get_draft(store: Store | None, draft_id: int | None):
    if store is None or draft_id is None:
        return None
    try:
        return store.drafts.get(draft_id)
    except NotFound:
        return None


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "?"


def _exit_on_hangup(app: App) -> None:
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
