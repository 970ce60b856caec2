"""``?`` or F1: every key of the current screen — the focused part's, the screen's and the
app's — with what it does and its binding id (for ``[keymap]`` in config.toml). The
footers show only the most used keys; this shows them all."""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Static

from personae.tui.screens.modals import Dialog

KEY_CELLS = 14  # the key column
WHAT_CELLS = 28  # the description column


@dataclass(frozen=True)
class KeyRow:
    keys: str  # as the footer shows them, e.g. "^s" or "↓ j"
    description: str
    where: str  # "this view", "this screen" or "everywhere"
    binding_id: str = ""


def key_rows(screen: Screen[object]) -> list[KeyRow]:
    """What each key does on ``screen`` now, nearest first: the focused widget's keys,
    the screen's, then the app's; in each group personae's own keys (every one carries an
    id, for the keymap) before Textual's. A key is listed once, for what it does there."""
    app = screen.app
    grouped: dict[tuple[int, str], tuple[Binding, list[str], DOMNode]] = {}
    for _key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or binding.system:
            continue
        entry = grouped.setdefault((id(active.node), binding.action), (binding, [], active.node))
        display = app.get_key_display(binding)
        if display not in entry[1]:
            entry[1].append(display)
    rank = {"this view": 0, "this screen": 1, "everywhere": 2}
    ranked = sorted(
        grouped.values(),
        key=lambda entry: (rank[_where(entry[2], screen)], entry[0].id is None),
    )  # stable: within a rank, the bindings keep their order
    return [
        KeyRow(" ".join(keys), binding.description, _where(node, screen), binding.id or "")
        for binding, keys, node in ranked
    ]


def _where(node: DOMNode, screen: Screen[object]) -> str:
    if node is screen:
        return "this screen"
    if node is screen.app:
        return "everywhere"
    return "this view"


class KeyHelpScreen(Dialog[None]):
    """The keys of the screen it was opened on; esc (or ? again) closes it."""

    TITLE_TEXT = "Keys"
    BINDINGS = [
        Binding("escape", "cancel", "Close", id="dialog.cancel"),
        Binding("question_mark", "cancel", "Close", show=False, id="keys.close"),
    ]

    def __init__(self, rows: list[KeyRow]) -> None:
        super().__init__()
        self.rows = rows

    def body(self) -> ComposeResult:
        table = Text(no_wrap=True, overflow="ellipsis")
        where = ""
        for row in self.rows:
            if row.where != where:
                table.append("\n" if where else "")
                where = row.where
                table.append(f"{where}\n", Style(bold=True, underline=True))
            table.append(f"  {row.keys:<{KEY_CELLS}}", Style(bold=True))
            table.append(f"{row.description:<{WHAT_CELLS}}")
            table.append(f"{row.binding_id}\n", Style(dim=True))
        table.rstrip()
        with VerticalScroll(id="keys"):
            yield Static(table)
