"""The publish guard and the send delay, as a script on a shared box meets them."""

from __future__ import annotations

from tests.cli.conftest import Cli
from tests.support.ports import free_port


def test_post_with_another_personas_term_is_refused_and_kept_as_draft(two: Cli) -> None:
    two.ok("guard", "add", "Work", "own", "#SMT")
    refused = two.fails("post", "Family", "Cookie day! ＃ｓｍｔ")
    assert "'#SMT' belongs to Work" in refused.err
    assert "--override" in refused.err
    assert two.ok("outbox", "--json").json() == []
    assert [d["text"] for d in two.ok("drafts", "Family", "--json").json()] == [
        "Cookie day! ＃ｓｍｔ"
    ]

    two.ok("post", "Family", "Cookie day! ＃ｓｍｔ", "--override")
    assert len(two.ok("outbox", "--json").json()) == 1


def test_mentioning_another_personas_account_is_flagged(two: Cli) -> None:
    refused = two.fails("post", "Work", "Thanks to @dan.cookies for the snacks")
    assert "dan.cookies" in refused.err and "Family" in refused.err


def test_a_blocked_term_refuses_unless_overridden(two: Cli) -> None:
    two.ok("guard", "add", "Work", "blocked", "layoffs")
    assert "blocked" in two.fails("post", "Work", "No LAYOFFS this year").err
    two.ok("post", "Work", "No LAYOFFS this year", "--override")


def test_send_delay_lets_a_post_be_cancelled_back_to_a_draft(two: Cli) -> None:
    two.ok("persona", "set", "Work", "--send-delay", "60")
    queued = two.ok("post", "Work", "Big announcement")
    assert "in 60 s" in queued.err and "personae outbox cancel" in queued.err
    entry = two.ok("outbox", "--json").json()[0]
    two.ok("sync")  # not due yet: nothing goes out
    assert two.ok("outbox", "--json").json()[0]["state"] == "queued"
    assert list((two.home / "published").rglob("*.json")) == []

    two.ok("outbox", "cancel", str(entry["id"]))
    assert two.ok("outbox", "--json").json() == []
    assert [d["text"] for d in two.ok("drafts", "Work", "--json").json()] == ["Big announcement"]


def test_a_sent_post_cannot_be_cancelled(two: Cli) -> None:
    two.ok("post", "Family", "Fresh batch")
    two.ok("sync")
    entry = two.ok("outbox", "--json").json()[0]
    assert "too late" in two.fails("outbox", "cancel", str(entry["id"])).err


def test_sync_without_a_server_says_so_plainly_and_keeps_the_post_queued(two: Cli) -> None:
    server = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    two.ok(
        "account",
        "add",
        "Work",
        "mastodon",
        "--handle",
        "dan",
        "--server",
        server,
        "--no-verify",
        input="token\n",
    )
    two.ok("post", "Work", "Written offline", "--to", "dan")
    synced = two("sync", "Work")  # Work's local target answers; dan's server does not
    assert synced.code == 1  # not everything went out
    assert "wait for a server that cannot be reached" in synced.err
    assert "personae: waiting for the network: post 1 to dan" in synced.err
    assert "Traceback" not in synced.err
    entry = two.ok("outbox", "--json").json()[0]
    assert (entry["state"], entry["attempts"]) == ("queued", 0)


def test_a_damaged_guard_refuses_every_post_until_repaired(two: Cli) -> None:
    """A guard term changed on disk must never be skipped silently: nothing is queued, the
    message names whose term it was and the repair; `guard repair` removes it."""
    import sqlite3

    two.ok("guard", "add", "Work", "own", "#acme")
    with sqlite3.connect(two.store_dir / "personae.db") as db:
        db.execute("update guard_terms set term = zeroblob(40)")
    refused = two.fails("post", "Family", "Cookie day!")
    assert "guard is damaged" in refused.err and "of Work" in refused.err
    assert "personae guard repair" in refused.err
    assert two.ok("outbox", "--json").json() == []

    assert "needs --yes" in two.fails("guard", "repair").err
    repaired = two.ok("guard", "repair", "--yes")
    assert "removed damaged guard term 1 of Work" in repaired.err
    two.ok("post", "Family", "Cookie day!")
    assert len(two.ok("outbox", "--json").json()) == 1
