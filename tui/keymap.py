"""Which binding ids a ``[keymap]`` in config.toml may name: every id a binding of the app,
its screens and widgets (ours and Textual's) carries. An id that names none of them is a
typo the user should hear about, not a remapping that silently does nothing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from textual.binding import Binding
from textual.dom import DOMNode

from personae.store.text import one_line


def binding_ids() -> set[str]:
    """The ids of every binding declared by a loaded class of the app (screens and widgets
    are imported first, so none is missed because it was not shown yet)."""
    import personae.tui.screens.keys
    import personae.tui.screens.main
    import personae.tui.screens.personas
    import personae.tui.screens.unlock  # noqa: F401  (imported for their bindings)

    ids = set()
    for node_class in _subclasses(DOMNode):
        for binding in node_class.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                ids.add(binding.id)
    return ids


def unknown(keymap: Iterable[str]) -> list[str]:
    """The ids in ``keymap`` that no binding has, in the order given."""
    known = binding_ids()
    return [binding_id for binding_id in keymap if binding_id not in known]


def unknown_ids_problem(keymap: Iterable[str]) -> str:
    """One line naming the ids that remap nothing, or "" when every id is known."""
    ids = unknown(keymap)
    if not ids:
        return ""
    names = ", ".join(repr(one_line(binding_id, 40)) for binding_id in ids)
    return f"[keymap] names no binding: {names} (? lists the keys and their ids)"


def _subclasses(cls: type) -> Iterator[type]:
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)
