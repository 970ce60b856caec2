"""Issue 4's "done when": a persona with a Bluesky account (the reference PDS), a Mastodon
account (the mastodon-mock double) and a feed (a real HTTP server) reads and publishes
through `personae sync` and through the app."""

from __future__ import annotations

import collections
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from personae.networks.html_text import html_to_text
from personae.store import KdfParams, Store
from personae.tui.app import PersonaeApp
from personae.tui.config import Config
from personae.tui.widgets.compose import Compose
from tests.cli.conftest import Cli
from tests.conftest import PASSPHRASE
from tests.support.feed_server import FeedServer
from tests.support.screen import screen_text

pytestmark = [pytest.mark.slow, pytest.mark.pds, pytest.mark.anyio]
_numbers = itertools.count(1)
DEMO_FEEDS = Path(__file__).resolve().parents[2] / "tui" / "demo_feeds"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def feeds() -> Iterator[FeedServer]:
    with FeedServer() as server:
        server.serve_file("/cookies.xml", DEMO_FEEDS / "cookie-club.xml")
        yield server


@pytest.fixture
def persona(tmp_path, pds, double, feeds):
    """'Cookie Dan' with a Bluesky account, a Mastodon account and a feed, made through the CLI
    as a user would (secrets on stdin, each account verified by logging in)."""
    account = pds.create_account(f"dan{next(_numbers)}.test", "main-password")
    cli = Cli(tmp_path)
    Store.create(cli.store_dir, PASSPHRASE, kdf=KdfParams.cheap()).close()
    cli.ok("persona", "add", "Cookie Dan", "--colour", "orange")
    cli.ok(
        "account",
        "add",
        "Cookie Dan",
        "bluesky",
        "--handle",
        account.handle,
        "--server",
        pds.url,
        input=pds.app_password(account) + "\n",
    )
    cli.ok(
        "account",
        "add",
        "Cookie Dan",
        "mastodon",
        "--handle",
        "alice",
        "--server",
        double.url,
        input=double.token("alice") + "\n",
    )
    cli.ok("feed", "add", "Cookie Dan", feeds.url("/cookies.xml"))
    return cli, account


def _published(pds, account, double) -> collections.Counter:
    records = (
        pds.client(account)
        .com.atproto.repo.list_records({"repo": account.did, "collection": "app.bsky.feed.post"})
        .records
    )
    texts = collections.Counter(r.value.text for r in records)
    texts.update(html_to_text(s["content"]).strip() for s in double.statuses("alice"))
    return texts


def test_personae_sync_reads_and_publishes_everywhere(persona, pds, double) -> None:
    cli, account = persona
    double.post_as("bob", "Bob's home-timeline news")
    cli.ok("post", "Cookie Dan", "Brown butter cookies, batch two #cookies")
    cli.ok("sync")
    cli.ok("sync")  # nothing goes out twice

    assert _published(pds, account, double)["Brown butter cookies, batch two #cookies"] == 2
    timeline = [
        item["text"] for item in cli.ok("timeline", "Cookie Dan", "--limit", "100", "--json").json()
    ]
    assert "Bob's home-timeline news" in timeline  # Mastodon home timeline
    assert any("dough" in text.lower() for text in timeline)  # the feed's items
    accounts = cli.ok("account", "list", "--json").json()
    assert {a["network"] for a in accounts} == {"bluesky", "mastodon"}


async def test_the_app_publishes_to_both_accounts_and_shows_the_timeline(
    persona, pds, double, monkeypatch
) -> None:
    cli, account = persona
    monkeypatch.setenv("PERSONAE_CONFIG", str(cli.home / "none.toml"))
    double.post_as("bob", "Seen in the app")
    store = Store.open(cli.store_dir, PASSPHRASE)
    app = PersonaeApp(store=store, config=Config(auto_lock_seconds=0))
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("c")
            app.main.query_one(Compose).editor.insert("Posted from the app, twice over")
            await pilot.press("ctrl+s")
            asked = screen_text(app)
            assert "Cookie Dan" in asked and account.handle in asked and "alice" in asked
            await pilot.press("y", "escape")
            app.action_publish_now()
            await app.workers.wait_for_complete()
            app.action_refresh()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert [e.state for e in store.outbox.list()] == ["sent", "sent"]
        assert _published(pds, account, double)["Posted from the app, twice over"] == 2
        texts = [item.text for item in store.timeline.newest(store.personas.list()[0].id, 200)]
        assert "Seen in the app" in texts
    finally:
        store.close()
