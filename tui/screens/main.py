"""The main screen: identity header, a view bar, and the active persona's timeline, editor,
drafts and outbox. A persona swap updates all of them in one synchronous call, so no frame
shows one persona's header over another's content."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer

from personae.store import Persona, Store, StoreError
from personae.store.text import one_line
from personae.tui.widgets.compose import Compose
from personae.tui.widgets.header import Identity, IdentityHeader
from personae.tui.widgets.line import TextLine
from personae.tui.widgets.lists import DraftList, OutboxTable
from personae.tui.widgets.timeline import TimelineView

VIEWS = (("timeline", "t", "Timeline"), ("compose", "c", "Compose"), ("drafts", "d", "Drafts"))
VIEWS += (("outbox", "o", "Outbox"),)


class MainScreen(Screen):
    BINDINGS = [
        Binding("t", "view('timeline')", "Timeline", show=False, id="view.timeline"),
        Binding("c", "view('compose')", "Compose", show=False, id="view.compose"),
        Binding("d", "view('drafts')", "Drafts", show=False, id="view.drafts"),
        Binding("o", "view('outbox')", "Outbox", show=False, id="view.outbox"),
        Binding("p", "app.personas", "Personas", id="view.personas"),
        Binding("s", "app.switcher", "Switch", id="persona.switcher"),
        Binding("r", "app.refresh", "Refresh", id="timeline.refresh"),
        Binding("slash", "search", "Search", id="timeline.search"),
        Binding("escape", "end_search", "End search", show=False, id="timeline.end_search"),
        Binding("q", "app.quit", "Quit", id="app.quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = "timeline"
        self.status_text = ""
        self.search_index: list[tuple[int, str]] | None = None  # active persona only

    def compose(self) -> ComposeResult:
        # Kept by reference: a swap touches each of them, and a query walks the whole DOM.
        self.header = IdentityHeader()
        self.header.identity = self.app.identity()  # type: ignore[attr-defined]
        self.viewbar = TextLine(id="viewbar")
        self.timeline = TimelineView(clock=self.app.now, id="timeline")  # type: ignore[attr-defined]
        self.editor = Compose(id="compose")
        self.drafts = DraftList(id="drafts")
        self.outbox = OutboxTable(id="outbox")
        yield self.header
        yield self.viewbar
        with ContentSwitcher(initial="timeline", id="views"):
            yield self.timeline
            yield self.editor
            yield self.drafts
            yield self.outbox
        yield Footer()

    def on_mount(self) -> None:
        self.show_viewbar()
        self.set_interval(1.0, self._tick)

    # -- persona ------------------------------------------------------------------------------

    def show_persona(self, store: Store, persona: Persona, identity: Identity) -> None:
        """Point every view at ``persona``; the caller saved the open draft first. The
        hidden lists only forget the previous persona; showing them reads them again."""
        self.search_index = None
        self.header.identity = identity
        self.timeline.show(store, persona.id)
        self.editor.start(store, persona)
        self.drafts.show(store, persona, load=self.view == "drafts")
        self.outbox.show(store, persona, load=self.view == "outbox")
        self.status_text = ""
        self.show_viewbar()

    def clear(self) -> None:
        """Drop every decrypted thing this screen holds (on lock)."""
        self.search_index = None
        self.timeline.clear()
        self.editor.clear()
        self.drafts.clear()
        self.outbox.clear_all()
        self.status_text = ""

    # -- views --------------------------------------------------------------------------------

    def action_view(self, view: str) -> None:
        self.view = view
        if view == "compose":
            self.editor.reveal()  # before it shows: no frame of a previous draft's text
        self.query_one(ContentSwitcher).current = view
        if view == "drafts":
            self.drafts.reload()
        if view == "outbox":
            self.outbox.reload()
        target = self.editor.editor if view == "compose" else self.query_one(f"#{view}")
        target.focus()
        self.show_viewbar()

    def show_viewbar(self) -> None:
        line = Text(" ")
        for view, key, title in VIEWS:
            style = Style(bold=True, reverse=True) if view == self.view else Style(dim=False)
            line.append(f" {key} {title} ", style)
            line.append(" ")
        timeline = self.timeline
        unread = list(timeline.read.values()).count(False)  # C speed: 100k marks in ~1 ms
        line.append(f" {len(timeline.read)} items, {unread} unread", Style(dim=True))
        if timeline.query:
            line.append(f" · search {one_line(timeline.query, 20)!r}: {len(timeline.ids)}")
        if self.status_text:
            line.append(" · " + one_line(self.status_text, 60), Style(italic=True))
        self.viewbar.update(line)

    def status(self, message: str) -> None:
        self.status_text = message
        self.show_viewbar()

    def _tick(self) -> None:
        if self.view == "outbox" and self.app.screen is self:
            self.outbox.reload()

    # -- timeline -----------------------------------------------------------------------------

    def on_timeline_view_opened(self, event: TimelineView.Opened) -> None:
        from personae.tui.screens.modals import ItemDialog

        self.show_viewbar()
        self.app.push_screen(ItemDialog(event.item, self.app.describe_source(event.item)))  # type: ignore[attr-defined]

    def on_draft_list_open(self, event: DraftList.Open) -> None:
        self.open_draft(event)

    def on_outbox_table_edit(self, event: OutboxTable.Edit) -> None:
        self.open_draft(event)

    def open_draft(self, event: DraftList.Open | OutboxTable.Edit) -> None:
        app = self.app
        self.editor.start(app.store, app.persona, event.draft)  # type: ignore[attr-defined]
        self.action_view("compose")

    def action_search(self) -> None:
        from personae.tui.screens.modals import PromptDialog

        persona = self.app.persona  # type: ignore[attr-defined]
        if persona is None:
            return

        def run(query: str | None) -> None:
            if query and query.strip():
                self.status("searching…")
                self._search(persona.id, query.strip())
            else:
                self.action_end_search()

        title = f"Search {persona.name}'s timeline"
        self.app.push_screen(PromptDialog(title, "Words to find (in memory only):"), run)

    @work(thread=True, exclusive=True, group="search")
    def _search(self, persona_id: int, query: str) -> None:
        """Decrypt the persona's items once into an in-memory index (never to disk)."""
        store: Store = self.app.store  # type: ignore[attr-defined]
        index = self.search_index
        try:
            if index is None:
                index = [
                    (item.id, f"{item.author}\n{item.title}\n{item.text}\n{item.url}".casefold())
                    for item in store.timeline.iterate(persona_id)
                ]
        except StoreError as error:
            self.app.call_from_thread(self.status, str(error))
            return
        needles = query.casefold().split()
        ids = [i for i, text in index if all(n in text for n in needles)]
        self.app.call_from_thread(self._searched, persona_id, query, index, ids)

    def _searched(self, persona_id: int, query: str, index: list, ids: list[int]) -> None:
        persona = self.app.persona  # type: ignore[attr-defined]
        if persona is None or persona.id != persona_id:
            return  # swapped or locked meanwhile: the result belongs to nobody on screen
        self.search_index = index
        self.timeline.narrow(query, ids)
        self.action_view("timeline")
        self.status(f"{len(ids)} found · esc ends the search")

    def action_end_search(self) -> None:
        timeline = self.timeline
        if timeline.query:
            timeline.reload()
            self.status("")
