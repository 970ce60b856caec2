"""An item's date and link: ``l`` opens the link in a browser where there is a display,
else shows and copies it; ``L`` copies it; both work in the item view and on the timeline."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest

from personae.store import NewItem, SourceKind
from personae.tui.links import opener
from personae.tui.screens.modals import ItemDialog
from tests.support.screen import screen_text, toasts

pytestmark = pytest.mark.anyio
SIZE = (100, 30)
NEWEST = "https://engineering.acme.example/posts/1"  # Dan @ Acme's newest item


@pytest.fixture
def no_display(monkeypatch: pytest.MonkeyPatch) -> None:
    """An SSH session: no display, no browser."""
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A display and a $BROWSER (a real program) that writes down what it was asked to open."""
    opened = tmp_path / "opened.txt"
    script = tmp_path / "browser"
    record = f'printf "%s\\n" "$@" > {opened}.part && mv {opened}.part {opened}'
    script.write_text(f"#!/bin/sh\n{record}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setenv("BROWSER", str(script))
    return opened


def wait_for(path: Path) -> str:
    """The file a child process writes, once it is there (the child runs on its own)."""
    for _ in range(200):
        if path.exists():
            return path.read_text()
        time.sleep(0.05)
    raise AssertionError(f"{path.name} was never written")


async def test_the_item_view_shows_the_date_and_time(app, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("enter")
            assert isinstance(app.screen, ItemDialog)
            assert "2025-03-14 07:00 UTC" in screen_text(app)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


async def test_l_without_a_display_shows_the_link_and_copies_it(app, no_display):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("enter", "l")
        await pilot.pause()
        assert app.clipboard == NEWEST
        assert f"no browser here; copied: {NEWEST}" in toasts(app)


async def test_l_with_a_display_opens_the_link_in_the_browser(app, browser):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("enter", "l")
        assert wait_for(browser) == NEWEST + "\n"
        await pilot.pause()
        assert f"opening {NEWEST}" in toasts(app)
        assert app.clipboard == ""  # nothing was copied


async def test_the_same_keys_work_on_the_timelines_selected_item(app, browser):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("L")
        assert app.clipboard == NEWEST
        await pilot.press("down", "l")
        assert wait_for(browser) == "https://news.embedded.example/posts/1\n"


async def test_a_link_that_is_not_http_is_never_handed_to_the_opener(app, demo_store, browser):
    work = demo_store.personas.list()[0]
    feed = demo_store.feeds.list(work.id)[0]
    hostile = NewItem("h-1", created=1741946300.0, title="Click me", url="file:///etc/passwd")
    demo_store.timeline.add(work.id, SourceKind.FEED, feed.id, [hostile])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("l")
        await pilot.pause()
        assert app.clipboard == "file:///etc/passwd"
        assert "not a web link; copied: file:///etc/passwd" in toasts(app)
        assert not browser.exists()


def test_the_opener_needs_a_display():
    assert opener({}, "linux") is None
    assert opener({"SSH_CONNECTION": "1 2 3 4"}, "darwin") is None
    browser = {"DISPLAY": ":0", "BROWSER": "firefox --new-tab:lynx"}
    assert opener(browser, "linux") == ["firefox", "--new-tab"]
    assert opener({"WAYLAND_DISPLAY": "wayland-0", "BROWSER": "x"}, "linux") == ["x"]
