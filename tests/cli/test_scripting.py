"""What a script relies on: data on stdout, problems on stderr, an exit status that says
whether everything went, and input taken as a file holds it."""

from __future__ import annotations

from tests.cli.conftest import Cli
from tests.networks.feeds.documents import cookies, rss2
from tests.support.feed_server import FeedServer, Reply
from tests.support.ports import free_port


def test_sync_that_could_not_read_a_feed_exits_1_with_the_error_on_stderr(two: Cli) -> None:
    dead = f"http://127.0.0.1:{free_port()}/feed.xml"  # nothing listens there
    two.ok("feed", "add", "Family", dead, "--no-verify")
    two.ok("post", "Work", "Release notes are up")

    synced = two("sync")

    assert synced.code == 1
    assert "published post 1 to dan@acme" in synced.out
    [error] = [line for line in synced.err.splitlines() if dead in line]
    assert error.startswith("personae: error Family: ") and "cannot connect" in error
    assert dead not in synced.out


def test_a_notice_about_a_feed_that_was_read_is_a_warning_not_a_failure(two: Cli) -> None:
    with FeedServer() as server:
        server.serve("/feed.xml", Reply(body=rss2(cookies(2))))
        old = server.redirect("/old.xml", "/feed.xml", status=301)
        two.ok("feed", "add", "Family", old)
        synced = two("sync", "Family")
    assert synced.code == 0, synced.err
    assert f"Family: {old}: 2 new" in synced.out
    [warning] = synced.err.splitlines()
    assert warning.startswith(f"personae: warning: Family: {old}: moved permanently to ")


def test_sync_where_everything_went_exits_0_and_says_nothing_on_stderr(two: Cli) -> None:
    two.ok("post", "Work", "Release notes are up")
    synced = two("sync")
    assert synced.code == 0 and synced.err == ""
    assert "published post 1 to dan@acme" in synced.out


def test_post_prints_the_id_that_cancels_it(two: Cli) -> None:
    two.ok("persona", "set", "Work", "--send-delay", "600")
    posted = two.ok("post", "Work", "Launch day")
    [entry] = two.ok("outbox", "--json").json()
    assert posted.out == f"{entry['id']}\n"

    two.ok("outbox", "cancel", posted.out.strip())
    assert two.ok("outbox", "--json").json() == []
    assert [d["text"] for d in two.ok("drafts", "Work", "--json").json()] == ["Launch day"]


def test_post_to_two_accounts_still_prints_one_id(two: Cli) -> None:
    two.ok("account", "add", "Work", "local", "--handle", "dan@oss", "--server", str(two.home))
    posted = two.ok("post", "Work", "To both")
    assert len(two.ok("outbox", "--json").json()) == 2
    assert posted.out.strip().isdigit()


def test_export_is_json_without_asking_for_a_format(two: Cli) -> None:
    two.ok("draft", "Work", "Quarterly numbers")
    exported = two.ok("export", "Work").json()
    assert [d["text"] for d in exported["drafts"]] == ["Quarterly numbers"]


def test_text_from_stdin_loses_exactly_one_trailing_newline(two: Cli) -> None:
    two.ok("draft", "Work", "-", input="Release notes\nline two\n")
    two.ok("draft", "Family", "-", input="a poem\n\n")
    two.ok("post", "Family", "-", input="From a file\n")
    assert [d["text"] for d in two.ok("drafts", "Work", "--json").json()] == [
        "Release notes\nline two"
    ]
    texts = {d["text"] for d in two.ok("export", "Family").json()["drafts"]}
    assert texts == {"a poem\n", "From a file"}


def test_feed_add_saves_a_feed_that_answers(two: Cli) -> None:
    with FeedServer() as server:
        url = server.serve("/feed.xml", Reply(body=rss2(cookies())))
        two.ok("feed", "add", "Family", url)
        assert server.hits["/feed.xml"] == 1
    assert [f["url"] for f in two.ok("feed", "list", "--json").json()] == [url]


def test_feed_add_refuses_an_address_without_a_feed_and_saves_nothing(two: Cli) -> None:
    with FeedServer() as server:
        page = server.serve("/", Reply(body=b"<html>Welcome</html>", content_type="text/html"))
        refused = two.fails("feed", "add", "Family", page)
    dead = two.fails("feed", "add", "Family", f"http://127.0.0.1:{free_port()}/feed.xml")
    assert "a web page, not a feed" in refused.err and "nothing saved" in refused.err
    assert "cannot connect" in dead.err and "--no-verify" in dead.err
    assert two.ok("feed", "list", "--json").json() == []


def test_feed_add_no_verify_saves_without_fetching(two: Cli) -> None:
    with FeedServer() as server:
        url = server.url("/not-yet.xml")
        two.ok("feed", "add", "Family", url, "--no-verify")
        assert server.hits["/not-yet.xml"] == 0
    assert [f["url"] for f in two.ok("feed", "list", "--json").json()] == [url]


def test_feed_enable_reads_a_gone_feed_again(two: Cli) -> None:
    with FeedServer() as server:
        url = server.serve("/feed.xml", Reply(status=410))
        two.ok("feed", "add", "Family", url, "--no-verify")
        two("sync", "Family")
        assert [f["state"] for f in two.ok("feed", "list", "--json").json()] == ["gone"]

        server.serve("/feed.xml", Reply(body=rss2(cookies(2))))  # it came back
        two.ok("feed", "enable", "Family", url)
        assert [f["state"] for f in two.ok("feed", "list", "--json").json()] == ["active"]
        two.ok("sync", "Family")
    assert len(two.ok("timeline", "Family", "--json").json()) == 2
