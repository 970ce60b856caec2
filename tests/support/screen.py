"""Reading the app's screen in Pilot tests, as a user would read it."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Footer
from textual.widgets._footer import FooterKey
from textual.widgets._toast import Toast


def screen_text(app: App) -> str:
    """The visible screen as plain text, as a user would read it."""
    return "\n".join(
        "".join(segment.text for segment in line) for line in app.screen._compositor.render_strips()
    )


def toasts(app: App) -> list[str]:
    """The notifications on screen, each as one string (a toast wraps its lines)."""
    return [" ".join(toast.render().plain.split()) for toast in app.screen.query(Toast)]


def footer_labels(app: App) -> list[str]:
    """The keys the current screen's footer offers, as the footer writes them ("r Retry")."""
    keys = app.screen.query_one(Footer).query(FooterKey)
    return [f"{key.key_display} {key.description}".strip() for key in keys]
