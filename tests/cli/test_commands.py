"""Every ``personae`` subcommand does what its help says, with data on stdout and --json."""

from __future__ import annotations

import json

from tests.cli.conftest import Cli
from tests.networks.feeds.documents import cookies, rss2
from tests.support.feed_server import FeedServer, Reply


def test_persona_add_list_rename_set_and_remove(cli: Cli) -> None:
    cli.ok("persona", "add", "Work", "--colour", "blue", "--glyph", "W")
    cli.ok("persona", "add", "Family", "--colour", "#ff8800")
    cli.ok("persona", "rename", "Family", "Home")
    cli.ok("persona", "set", "Home", "--glyph", "H", "--send-delay", "30")

    listed = cli.ok("persona", "list", "--json").json()
    assert [(p["name"], p["position"]) for p in listed] == [("Work", 1), ("Home", 2)]
    assert listed[1]["glyph"] == "H" and listed[1]["send_delay"] == 30
    assert listed[0]["send_delay"] == 0  # a new persona publishes at once until told otherwise

    table = cli.ok("persona", "list").out
    assert "Work" in table and "Home" in table

    cli.ok("persona", "rm", "Home", "--yes")
    assert [p["name"] for p in cli.ok("persona", "list", "--json").json()] == ["Work"]


def test_accounts_are_listed_without_their_secrets(two: Cli) -> None:
    accounts = two.ok("account", "list", "--json").json()
    assert {(a["persona"], a["handle"], a["network"]) for a in accounts} == {
        ("Work", "dan@acme", "local"),
        ("Family", "dan.cookies", "local"),
    }
    assert all("secret" not in a and "session" not in a for a in accounts)
    only_work = two.ok("account", "list", "Work", "--json").json()
    assert [a["handle"] for a in only_work] == ["dan@acme"]
    two.ok("account", "rm", "Work", "dan@acme", "--yes")
    assert [a["handle"] for a in two.ok("account", "list", "--json").json()] == ["dan.cookies"]


def test_feeds_add_list_remove(two: Cli) -> None:
    with FeedServer() as server:
        url = server.serve("/feed.xml", Reply(body=rss2(cookies())))
        two.ok("feed", "add", "Family", url)
    feeds = two.ok("feed", "list", "--json").json()
    assert [(f["persona"], f["url"]) for f in feeds] == [("Family", url)]
    two.ok("feed", "rm", "Family", url, "--yes")
    assert two.ok("feed", "list", "--json").json() == []


def test_draft_prints_its_id_and_drafts_lists_it(two: Cli) -> None:
    draft_id = int(two.ok("draft", "Family", "Grandma's recipe, finally").out)
    drafts = two.ok("drafts", "Family", "--json").json()
    assert [(d["id"], d["text"]) for d in drafts] == [(draft_id, "Grandma's recipe, finally")]
    assert two.ok("drafts", "Work", "--json").json() == []
    from_stdin = int(two.ok("draft", "Work", "-", input="Release notes\nline two\n").out)
    assert [d["id"] for d in two.ok("drafts", "Work", "--json").json()] == [from_stdin]


def test_post_sync_publishes_once_and_timeline_shows_it(two: Cli) -> None:
    two.ok("post", "Family", "Cookies are out of the oven")
    queued = two.ok("outbox", "--json").json()
    assert [(e["persona"], e["account"], e["state"]) for e in queued] == [
        ("Family", "dan.cookies", "queued")
    ]

    synced = two.ok("sync")
    assert "Cookies are out of the oven" in synced.out or "published" in synced.out
    two.ok("sync")  # a second sync publishes nothing again

    published = list((two.home / "published" / "dan.cookies").glob("*.json"))
    assert len(published) == 1
    assert json.loads(published[0].read_text())["text"] == "Cookies are out of the oven"
    assert [e["state"] for e in two.ok("outbox", "--json").json()] == ["sent"]

    timeline = two.ok("timeline", "Family", "--json").json()
    assert [i["text"] for i in timeline] == ["Cookies are out of the oven"]
    assert "Cookies are out of the oven" in two.ok("timeline", "Family").out
    assert two.ok("timeline", "Work", "--json").json() == []  # the other persona sees nothing


def test_post_to_names_the_account(two: Cli) -> None:
    two.ok("account", "add", "Work", "local", "--handle", "dan@oss", "--server", str(two.home))
    two.ok("post", "Work", "Only to the OSS account", "--to", "dan@oss")
    assert [e["account"] for e in two.ok("outbox", "--json").json()] == ["dan@oss"]
    two.fails("post", "Work", "x", "--to", "dan.cookies")  # the Family account: not Work's


def test_export_is_decrypted_json_and_secrets_only_on_request(two: Cli) -> None:
    two.ok("draft", "Work", "Quarterly numbers")
    two.ok("guard", "add", "Work", "own", "#acme")
    data = two.ok("export", "Work", "--format", "json").json()
    assert data["persona"]["name"] == "Work"
    assert [d["text"] for d in data["drafts"]] == ["Quarterly numbers"]
    assert [t["term"] for t in data["guard"]] == ["#acme"]
    assert "secret" not in data["accounts"][0]
    full = two.ok("export", "Work", "--format", "json", "--include-secrets").json()
    assert "secret" in full["accounts"][0]


def test_guard_add_list_remove(two: Cli) -> None:
    two.ok("guard", "add", "Work", "own", "#acme")
    two.ok("guard", "add", "Family", "blocked", "layoffs")
    terms = two.ok("guard", "list", "--json").json()
    assert {(t["persona"], t["kind"], t["term"]) for t in terms} == {
        ("Work", "own", "#acme"),
        ("Family", "blocked", "layoffs"),
    }
    assert len(two.ok("guard", "list", "Work", "--json").json()) == 1
    two.ok("guard", "rm", "Work", "#acme", "--yes")
    assert [t["term"] for t in two.ok("guard", "list", "--json").json()] == ["layoffs"]


def test_passwd_changes_the_passphrase(two: Cli) -> None:
    two.ok("passwd", PERSONAE_NEW_PASSPHRASE="a new and longer passphrase")
    two.fails("persona", "list")
    listed = two.ok("persona", "list", "--json", PERSONAE_PASSPHRASE="a new and longer passphrase")
    assert [p["name"] for p in listed.json()] == ["Work", "Family"]


def test_locate_and_networks(cli: Cli) -> None:
    where = cli.ok("locate", "--json").json()
    assert where["store"] == str(cli.store_dir) and where["exists"] is True
    names = {n["name"] for n in cli.ok("networks", "--json").json()}
    assert {"rss", "local"} <= names


def test_init_creates_a_store_with_the_real_key_derivation(tmp_path) -> None:
    fresh = Cli(tmp_path)
    made = fresh.ok("init")
    assert str(fresh.store_dir) in made.err
    fresh.fails("init")  # never over an existing store
    assert fresh.ok("persona", "list", "--json").json() == []
