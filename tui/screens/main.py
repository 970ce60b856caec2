"""The main screen: identity header, a view bar, and the active persona's timeline, editor,
drafts and outbox. A persona swap updates all of them in one synchronous call, so no frame
shows one persona's header over another's content.

The views tell this screen what they need with messages (open an item, delete a draft,
choose accounts, publish); the flows and dialogs that answer them live here or, for
publishing, in ``personae.tui.publish``."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Footer

from personae.store import Item, NotFound, Persona, SourceKind, Store, StoreError, TamperedValue
from personae.store.text import one_line
from personae.tui import links
from personae.tui.publish import PublishFlow
from personae.tui.screens.base import PersonaeScreen
from personae.tui.screens.modals import ConfirmDialog, ItemDialog, PromptDialog, TargetsDialog
from personae.tui.widgets.compose import Compose
from personae.tui.widgets.header import Identity, IdentityHeader
from personae.tui.widgets.line import TextLine
from personae.tui.widgets.lists import DraftList, OutboxTable
from personae.tui.widgets.timeline import TimelineView

VIEWS = (
    ("timeline", "t", "Timeline"),
    ("compose", "c", "Compose"),
    ("drafts", "d", "Drafts"),
    ("outbox", "o", "Outbox"),
)
SearchIndex = list[tuple[int, str]]  # (item id, its searchable text), in memory only


class MainScreen(PersonaeScreen[None]):
    BINDINGS = [
        Binding("t", "view('timeline')", "Timeline", show=False, id="view.timeline"),
        Binding("c", "view('compose')", "Compose", show=False, id="view.compose"),
        Binding("d", "view('drafts')", "Drafts", show=False, id="view.drafts"),
        Binding("o", "view('outbox')", "Outbox", show=False, id="view.outbox"),
        Binding("p", "app.personas", "Personas", id="view.personas"),
        Binding("s", "app.switcher", "Switch", show=False, id="persona.switcher"),
        # The timeline shows these two in its footer; here they work from every view.
        Binding("r", "app.refresh", "Refresh", show=False, id="timeline.refresh"),
        Binding("slash", "search", "Search", show=False, id="timeline.search"),
        Binding("escape", "end_search", "End search", show=False, id="timeline.end_search"),
        Binding("q", "app.quit", "Quit", show=False, id="app.quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = "timeline"
        self.status_text = ""
        self.search_index: SearchIndex | None = None  # active persona only
        self.publishing = PublishFlow(self)

    def compose(self) -> ComposeResult:
        # Kept by reference: a swap touches each of them, and a query walks the whole DOM.
        self.header = IdentityHeader()
        self.header.identity = self.app.identity()
        self.viewbar = TextLine(id="viewbar")
        self.timeline = TimelineView(clock=self.app.now, id="timeline")
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
        if view == "compose":
            self._compose_for_active()
            self.editor.reveal()  # before it shows: no frame of a previous draft's text
        self.view = view
        self.query_one(ContentSwitcher).current = view
        if view == "drafts":
            self.drafts.reload()
        if view == "outbox":
            self.outbox.reload()
        target: Widget = self.editor.editor if view == "compose" else self.query_one(f"#{view}")
        target.focus()
        self.show_viewbar()

    def _compose_for_active(self) -> None:
        """``c`` writes as the active persona: a draft of another persona left open in the
        editor (opened from every persona's drafts) is saved and a new one started."""
        store, active, owner = self.app.store, self.app.persona, self.editor.owner
        if store is not None and active is not None and (owner is None or owner.id != active.id):
            self.editor.start(store, active)

    def show_viewbar(self) -> None:
        line = Text(" ")
        for view, key, title in VIEWS:
            style = Style(bold=True, reverse=True) if view == self.view else Style(dim=False)
            line.append(f" {key} {title} ", style)
            line.append(" ")
        timeline = self.timeline
        if timeline.searched:  # the count first: it is what a narrow terminal keeps
            query = one_line(timeline.searched, 20)
            line.append(f" {len(timeline.ids)} found for {query!r} · esc ends the search")
        else:
            unread = list(timeline.read.values()).count(False)  # C speed: 100k in ~1 ms
            line.append(f" {len(timeline.read)} items, {unread} unread", Style(dim=True))
        if self.status_text:
            line.append(" · " + one_line(self.status_text, 60), Style(italic=True))
        self.viewbar.update(line)

    def status(self, message: str) -> None:
        self.status_text = message
        self.show_viewbar()

    def _tick(self) -> None:
        if self.view == "outbox" and self.app.screen is self:
            self.outbox.reload()

    # -- what the views ask for -----------------------------------------------------------------

    def on_timeline_view_opened(self, event: TimelineView.Opened) -> None:
        self.show_viewbar()
        self.app.push_screen(ItemDialog(event.item, self.describe_source(event.item)))

    def on_timeline_view_read_changed(self, event: TimelineView.ReadChanged) -> None:
        self.show_viewbar()

    def on_timeline_view_link_requested(self, event: TimelineView.LinkRequested) -> None:
        (links.copy_link if event.copy else links.open_link)(self.app, event.item.url)

    def describe_source(self, item: Item) -> str:
        store = self.app.store
        if store is None:
            return ""
        try:
            if item.source == SourceKind.FEED:
                return f"feed {store.feeds.get(item.source_id).url}"
            account = store.accounts.get(item.source_id)
            return f"{account.network} account {account.handle}"
        except (NotFound, TamperedValue):
            return f"{item.source} {item.source_id} (removed)"

    def on_draft_list_open(self, event: DraftList.Open) -> None:
        self.open_draft(event)

    def on_outbox_table_edit(self, event: OutboxTable.Edit) -> None:
        self.open_draft(event)

    def open_draft(self, event: DraftList.Open | OutboxTable.Edit) -> None:
        store, persona = self.app.store, self.app.persona
        if store is None or persona is None:
            return
        try:
            self.editor.start(store, persona, event.draft)
        except StoreError as error:
            self.app.notify(one_line(str(error)), severity="error", markup=False)
            return
        self.view = "compose"  # shown as it is: ``c`` would start a new draft
        self.query_one(ContentSwitcher).current = "compose"
        self.editor.reveal()
        self.editor.editor.focus()
        self.show_viewbar()

    def on_draft_list_delete_requested(self, event: DraftList.DeleteRequested) -> None:
        draft, store = event.draft, self.app.store

        def answer(yes: bool | None) -> None:
            if yes and store is not None:
                try:
                    store.drafts.remove(draft)
                except StoreError as error:
                    self.app.notify(one_line(str(error)), severity="error", markup=False)
                self.drafts.reload()

        question = f"Delete draft #{draft.id}: {one_line(draft.text, 60)}?"
        self.app.push_screen(ConfirmDialog("Delete draft", question), answer)

    def on_compose_targets_requested(self, event: Compose.TargetsRequested) -> None:
        def chosen(ids: list[int] | None) -> None:
            if ids is not None:
                self.editor.set_targets(ids)

        self.app.push_screen(TargetsDialog(event.accounts, event.chosen), chosen)

    def on_compose_publish_requested(self, event: Compose.PublishRequested) -> None:
        self.publishing.start(self.editor)

    # -- search -------------------------------------------------------------------------------

    def action_search(self) -> None:
        persona = self.app.persona
        if persona is None:
            return

        def run(query: str | None) -> None:
            if query and query.strip():
                self.status("searching…")
                self._search(persona.id, query.strip())
            else:
                self.action_end_search()

        title = f"Search {one_line(persona.name)}'s timeline"
        self.app.push_screen(PromptDialog(title, "Words to find (in memory only):"), run)

    @work(thread=True, exclusive=True, group="search")
    def _search(self, persona_id: int, query: str) -> None:
        """Decrypt the persona's items once into an in-memory index (never to disk)."""
        store = self.app.store
        index = self.search_index
        try:
            if index is None and store is not None:
                index = [
                    (item.id, f"{item.author}\n{item.title}\n{item.text}\n{item.url}".casefold())
                    for item in store.timeline.iterate(persona_id)
                ]
        except StoreError as error:
            self.app.call_from_thread(self.status, one_line(str(error)))
            return
        needles = query.casefold().split()
        ids = [i for i, text in index or [] if all(n in text for n in needles)]
        self.app.call_from_thread(self._searched, persona_id, query, index, ids)

    def _searched(
        self, persona_id: int, query: str, index: SearchIndex | None, ids: list[int]
    ) -> None:
        persona = self.app.persona
        if persona is None or persona.id != persona_id:
            return  # swapped or locked meanwhile: the result belongs to nobody on screen
        self.search_index = index
        self.timeline.narrow(query, ids)
        self.action_view("timeline")
        self.status("")  # the bar says what was found

    def action_end_search(self) -> None:
        timeline = self.timeline
        if timeline.searched:
            timeline.reload()
            self.status("")
