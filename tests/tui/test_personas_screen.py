"""The personas screen adds feeds as the command line does: only once the address answers
with a feed, checked in a worker; a page that is not a feed saves nothing and says why."""

from __future__ import annotations

import pytest

from tests.networks.feeds.documents import cookies, rss2
from tests.support.feed_server import FeedServer, Reply
from tests.support.screen import toasts

pytestmark = pytest.mark.anyio


async def add_feed(app, pilot, url: str) -> None:
    await pilot.press("p")
    await pilot.press("F")
    app.screen.query_one("#prompt").value = url
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_a_feed_that_answers_is_added_to_the_selected_persona(app, demo_store):
    work = demo_store.personas.list()[0]
    with FeedServer() as server:
        url = server.serve("/news.xml", Reply(body=rss2(cookies(2))))
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            await add_feed(app, pilot, url)
            assert any(f"added {url}" in toast for toast in toasts(app))
        assert server.hits["/news.xml"] == 1
    assert url in [feed.url for feed in demo_store.feeds.list(work.id)]


async def test_an_address_without_a_feed_saves_nothing_and_says_why(app, demo_store):
    before = [feed.url for feed in demo_store.feeds.list()]
    with FeedServer() as server:
        url = server.serve("/page.html", Reply(body=b"<html><p>hello</p></html>"))
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            await add_feed(app, pilot, url)
            assert any("not added: no feed at that address" in toast for toast in toasts(app))
    assert [feed.url for feed in demo_store.feeds.list()] == before
