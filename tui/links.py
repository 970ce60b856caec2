"""Opening and copying an item's link, on the user's key press only.

With a display, the link goes to the system's opener ($BROWSER, else xdg-open or macOS's
open) as one argument, never through a shell. Without one (SSH, a console), it is shown and
copied with OSC 52 — the one escape sequence personae sends on purpose, and only here.
Only http and https links are handed to an opener: a ``file:`` or ``-option`` link is
shown and copied instead."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping
from urllib.parse import urlsplit

from textual.app import App

from personae.store.text import one_line

OPENABLE = ("http", "https")


def opener(env: Mapping[str, str] = os.environ, platform: str = sys.platform) -> list[str] | None:
    """The command that opens a link on this machine's display, or None without one."""
    local_mac = platform == "darwin" and not env.get("SSH_CONNECTION")
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY") or local_mac):
        return None
    browser = env.get("BROWSER", "").split(os.pathsep)[0].strip()
    if browser:
        return shlex.split(browser)
    found = shutil.which("open" if platform == "darwin" else "xdg-open")
    return [found] if found else None


def open_link(app: App[object], url: str) -> None:
    """Open ``url`` in a browser when there is a display; else show it and copy it."""
    url = one_line(url)
    if not url:
        app.notify("this item has no link", markup=False)
        return
    command = opener()
    if command is None:
        copy_link(app, url, shown="no browser here; copied")
        return
    if urlsplit(url).scheme.lower() not in OPENABLE:
        copy_link(app, url, shown="not a web link; copied")
        return
    try:
        subprocess.Popen(
            [*command, url],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own session: it never reads our terminal
        )
    except OSError as error:
        copy_link(app, url, shown=f"could not start {command[0]} ({error.strerror}); copied")
        return
    app.notify(f"opening {url}", markup=False)


def copy_link(app: App[object], url: str, shown: str = "copied") -> None:
    """Put ``url`` on the clipboard (OSC 52) and say which link it was."""
    url = one_line(url)
    if not url:
        app.notify("this item has no link", markup=False)
        return
    app.copy_to_clipboard(url)
    app.notify(f"{shown}: {url}", markup=False)
