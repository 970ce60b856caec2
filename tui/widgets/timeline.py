"""A persona's timeline as a Line API ScrollView: one line per item, newest first.

The store hands out (id, read) for every item without decrypting anything; only the rows
on screen (plus a small margin) are decrypted, and kept in a bounded cache. Opening, paging
and scrolling cost the same at 1,000 or 100,000 items."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual import work
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from personae.store import Item, Store, StoreError
from personae.store.text import one_line

CACHE_ROWS = 600  # decrypted items kept; a few screens' worth
MARGIN = 20  # rows decrypted beyond the visible ones, for smooth line-by-line scrolling
Index = tuple[list[int], dict[int, bool]]  # a persona's item ids (newest first), read marks
LEAD_CELLS = 2 + 11 + 19  # unread mark, age, author: the cells before an item's text
# Characters one cell wide (as Rich measures them): text made only of these is cut and padded
# by counting characters. Western scripts, and the dash and ellipsis this widget adds.
_NARROW = frozenset(
    chr(code)
    for start, end in ((0x20, 0x7E), (0xA0, 0xAC), (0xAE, 0x2FF), (0x370, 0x482))
    for code in range(start, end + 1)
) | frozenset("—…‘’“”")


def age(created: float, now: float) -> str:
    """A short, width-stable age: 45s, 12m, 5h, 3d, or a UTC date for old items."""
    seconds = max(now - created, 0)
    for limit, unit, size in ((60, "s", 1), (3600, "m", 60), (86400, "h", 3600)):
        if seconds < limit:
            return f"{int(seconds // size)}{unit}"
    if seconds < 30 * 86400:
        return f"{int(seconds // 86400)}d"
    return time.strftime("%Y-%m-%d", time.gmtime(created))


class TimelineView(ScrollView, can_focus=True):
    """The active persona's items; a search narrows the rows to the matching ones."""

    BINDINGS = [
        Binding("down,j", "cursor(1)", "Down", show=False, id="timeline.down"),
        Binding("up,k", "cursor(-1)", "Up", show=False, id="timeline.up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="timeline.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="timeline.page_up"),
        Binding("home", "jump(0)", "First", show=False, id="timeline.first"),
        Binding("end", "jump(-1)", "Last", show=False, id="timeline.last"),
        Binding("enter", "open", "Open", id="timeline.open"),
        Binding("m", "toggle_read", "Read", id="timeline.mark_read"),
        Binding("slash", "screen.search", "Search", id="timeline.search"),
        Binding("r", "app.refresh", "Refresh", id="timeline.refresh"),
        Binding("l", "link(False)", "Open link", show=False, id="item.open_link"),
        Binding("L", "link(True)", "Copy link", show=False, id="item.copy_link"),
    ]

    class Opened(Message):
        def __init__(self, item: Item) -> None:
            super().__init__()
            self.item = item

    class ReadChanged(Message):
        """An item was marked read or unread: the counts shown elsewhere change."""

    class LinkRequested(Message):
        """``l``/``L`` on the selected item: open its link, or copy it."""

        def __init__(self, item: Item, copy: bool) -> None:
            super().__init__()
            self.item, self.copy = item, copy

    def __init__(self, clock: Callable[[], float] = time.time, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clock = clock
        self.persona_id: int | None = None
        self.ids: list[int] = []
        self.read: dict[int, bool] = {}
        self.cursor = 0
        self.searched = ""  # the search this view is narrowed to, if any
        self._cache: OrderedDict[int, Item] = OrderedDict()
        self.indexes: dict[int, Index] = {}
        self._store: Store | None = None
        self._paint: _Paint | None = None  # set while a paint is under way

    # -- content ----------------------------------------------------------------------------

    def show(self, store: Store, persona_id: int) -> None:
        """Load the persona's index (no decryption) and start at the newest item."""
        indexes = self.indexes
        self._forget()  # no resize in between: an unchanged scrollbar is not redrawn
        self.indexes = indexes  # ids and read marks only: nothing decrypted is kept
        self._store, self.persona_id = store, persona_id
        self.ids, self.read = self._index(store, persona_id)
        self._resize()
        self.scroll_to(y=0, animate=False, immediate=True)

    def _index(self, store: Store, persona_id: int) -> Index:
        if persona_id not in self.indexes:
            self.indexes[persona_id] = ids_and_marks(store, persona_id)
        ids, read = self.indexes[persona_id]
        return list(ids), read

    def warm(self, store: Store, persona_ids: list[int]) -> None:
        """Read the other personas' indexes ahead (in a thread), so a swap costs no query."""
        missing = [pid for pid in persona_ids if pid not in self.indexes]
        if missing and store.unlocked:  # a thread only when there is something to read
            self._warm(store, missing)

    @work(thread=True, group="timeline-index", exclusive=True)
    def _warm(self, store: Store, persona_ids: list[int]) -> None:
        for persona_id in persona_ids:
            try:
                found = ids_and_marks(store, persona_id)
            except StoreError:
                return
            self.app.call_from_thread(self._warmed, store, persona_id, found)

    def _warmed(self, store: Store, persona_id: int, found: Index) -> None:
        if store is self._store and store.unlocked:
            self.indexes.setdefault(persona_id, found)

    def narrow(self, query: str, ids: list[int]) -> None:
        """Show only ``ids`` (a search's matches, newest first)."""
        self.searched, self.ids, self.cursor = query, ids, 0
        self._resize()
        self.scroll_to(y=0, animate=False, immediate=True)

    def reload(self) -> None:
        """Re-read the index after a refresh, keeping the search off and the cursor's item."""
        if self._store is None or self.persona_id is None:
            return
        current = self.current_id()
        self.indexes.clear()  # a refresh may have brought items to any persona
        self.searched = ""
        self.ids, self.read = self._index(self._store, self.persona_id)
        self.cursor = self.ids.index(current) if current in self.read else 0
        self._resize()
        self._follow()

    def clear(self) -> None:
        """Forget everything decrypted and every id (on lock)."""
        self._forget()
        self._resize()

    def _forget(self) -> None:
        """Forget everything decrypted and every id (on lock and on persona swap)."""
        self._cache.clear()
        self.indexes = {}
        self.ids, self.read, self.cursor, self.searched = [], {}, 0, ""
        self.persona_id = None
        self._store = None

    def current_id(self) -> int | None:
        return self.ids[self.cursor] if 0 <= self.cursor < len(self.ids) else None

    def item_at(self, row: int) -> Item | None:
        if not 0 <= row < len(self.ids):
            return None
        item_id = self.ids[row]
        item = self._cache.get(item_id)
        if item is None:
            self._load_around(row)
            item = self._cache.get(item_id)
        return item

    @property
    def decrypted_count(self) -> int:
        return len(self._cache)

    def _load_around(self, row: int) -> None:
        if self._store is None:
            return
        top = max(int(self.scroll_offset.y), 0)
        start = min(row, top)
        # A fresh screen (open, swap, page) decrypts what it shows; a row scrolled into view
        # at the bottom brings the next MARGIN rows with it.
        margin = MARGIN if row > top else 0
        end = max(row + 1, top + self.size.height + margin)
        wanted = [i for i in self.ids[start:end] if i not in self._cache]
        self._cache.update(self._store.timeline.load(wanted))
        while len(self._cache) > CACHE_ROWS:
            self._cache.popitem(last=False)

    def _resize(self) -> None:
        self.virtual_size = Size(0, len(self.ids))  # never wider: no horizontal scrollbar
        self.refresh()

    # -- drawing ----------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # What every line shares is looked up once per paint: the style, the size and the
        # scroll offset go through Textual's style and layout machinery on each access.
        self._paint = self._paint_state()
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None

    def _paint_state(self) -> _Paint:
        base = self.rich_style
        bold, reverse = Style(bold=True), Style(reverse=True)
        return _Paint(
            top=int(self.scroll_offset.y),
            width=self.scrollable_content_region.width,
            gutter=self.size.width - self.scrollable_content_region.width,
            now=self.clock(),
            plain=(base, base + bold),
            cursor=(base + reverse, base + reverse + bold),
        )

    def render_line(self, y: int) -> Strip:
        paint = self._paint or self._paint_state()
        row = paint.top + y
        if row >= len(self.ids):
            base = paint.plain[0]
            if row == 0:
                empty = " nothing here yet: press r to refresh" if not self.searched else ""
                text = empty or f" no item matches {self.searched!r}"
                line = Strip([Segment(one_line(text), base)]).crop_extend(0, paint.width, base)
                return _under_scrollbar(line, paint.gutter, base)
            return Strip.blank(paint.width + paint.gutter, base)
        item = self.item_at(row)
        style, strong = paint.cursor if row == self.cursor else paint.plain
        if item is None:
            segments = [Segment(" (this item failed to decrypt; skipped)", style)]
            line = Strip(segments).crop_extend(0, paint.width, style)
        else:
            unread = not self.read.get(item.id, item.read)
            line = _row(item, paint.width, style, strong if unread else style, unread, paint.now)
        return _under_scrollbar(line, paint.gutter, style)

    def on_resize(self) -> None:
        self._resize()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- actions ----------------------------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        self._move(self.cursor + step)

    def action_page(self, direction: int) -> None:
        self._move(self.cursor + direction * max(self.size.height - 1, 1))

    def action_jump(self, row: int) -> None:
        self._move(row if row >= 0 else len(self.ids) - 1)

    def action_open(self) -> None:
        item = self.item_at(self.cursor)
        if item is not None:
            self.set_read(item.id, True)
            self.post_message(self.Opened(item))

    def action_toggle_read(self) -> None:
        item_id = self.current_id()
        if item_id is not None:
            self.set_read(item_id, not self.read.get(item_id, False))

    def action_link(self, copy: bool) -> None:
        item = self.item_at(self.cursor)
        if item is not None:
            self.post_message(self.LinkRequested(item, copy))

    def set_read(self, item_id: int, read: bool) -> None:
        if self._store is None:
            return
        self._store.timeline.mark_read([item_id], read)
        self.read[item_id] = read
        self.refresh()
        self.post_message(self.ReadChanged())

    def _move(self, row: int) -> None:
        if not self.ids:
            return
        self.cursor = min(max(row, 0), len(self.ids) - 1)
        self._follow()
        self.refresh()

    def _follow(self) -> None:
        top, height = int(self.scroll_offset.y), max(self.size.height, 1)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)


def _row(item: Item, width: int, style: Style, strong: Style, unread: bool, now: float) -> Strip:
    """One item's line: unread mark, age, author, title and text, cut to ``width``."""
    who = _one_line(item.author, 18) or "?"
    what = _one_line(" — ".join(x for x in (item.title, item.text) if x), 200)
    lead = [
        Segment("● " if unread else "  ", strong),
        Segment(f"{age(item.created, now):>10} ", style),
        Segment(f"{who:<18} ", strong),
    ]
    room = width - LEAD_CELLS
    if room >= 0 and _NARROW.issuperset(who) and _NARROW.issuperset(what):  # no measuring
        return Strip([*lead, Segment(what[:room].ljust(room), style)], width)
    return Strip([*lead, Segment(what, style)]).crop_extend(0, width, style)


def _under_scrollbar(line: Strip, gutter: int, style: Style) -> Strip:
    """``line`` and, as a segment of its own, the cells the scrollbar covers: the compositor
    cuts the line there, and a cut between segments costs no measuring of the text."""
    if not gutter:
        return line
    return Strip([*line, Segment(" " * gutter, style)], line.cell_length + gutter)


class _Paint(NamedTuple):
    top: int  # first row on screen
    width: int  # cells left of the scrollbar
    gutter: int  # cells under the scrollbar
    now: float
    plain: tuple[Style, Style]  # (normal, bold for unread)
    cursor: tuple[Style, Style]


def _one_line(text: str, width: int) -> str:
    """``one_line``, with a fast path for the usual text: a string that ``isprintable``
    holds no control, format or escape character, so cleaning would leave it as it is."""
    if text.isprintable():
        line = " ".join(text.split())
        return line if len(line) <= width else line[: max(width - 1, 0)] + "…"
    return one_line(text, width)


def ids_and_marks(store: Store, persona_id: int) -> Index:
    index = store.timeline.index(persona_id)
    return [item_id for item_id, _ in index], dict(index)
