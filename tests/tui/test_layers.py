"""The app's own layering: widgets are told what to show and answer with messages; they
never reach up to a screen or to the app module (Textual's "attributes down, messages up")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

WIDGETS = Path(__file__).resolve().parents[2] / "tui" / "widgets"
ABOVE = ("personae.tui.screens", "personae.tui.app", "personae.tui.publish")


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("widget", sorted(WIDGETS.glob("*.py")), ids=lambda p: p.name)
def test_no_widget_imports_a_screen_or_the_app(widget: Path) -> None:
    assert not {name for name in imported(widget) if name.startswith(ABOVE)}
