"""The app's screens and dialogs, with ``self.app`` typed as the personae app (Textual's
``getters.app``): a screen reads the store, the active persona and the identity from it
without casts or ignores."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from textual import getters
from textual.screen import ModalScreen, Screen

if TYPE_CHECKING:
    from personae.tui.app import PersonaeApp

Result = TypeVar("Result")


def _app_type() -> type[PersonaeApp]:
    from personae.tui.app import PersonaeApp  # the app imports its screens lazily too

    return PersonaeApp


class PersonaeScreen(Screen[Result]):
    app = getters.app(_app_type)


class PersonaeModal(ModalScreen[Result]):
    app = getters.app(_app_type)
