"""Deleting asks first. Without a terminal to ask on (a script, cron, a pipe) a removal
needs ``--yes``: otherwise nothing is deleted and the command fails saying so."""

from __future__ import annotations

import pytest

from tests.cli.conftest import Cli


@pytest.fixture
def full(two: Cli) -> Cli:
    """Work holds a draft, a queued post, a feed and a guard term, besides its account
    (set up through the library; the commands that make them have tests of their own)."""
    from personae.networks.posting import publishable, queue
    from personae.store import Store
    from tests.conftest import PASSPHRASE

    with Store.open(two.store_dir, PASSPHRASE) as store:
        work = store.personas.set_send_delay(store.personas.find("Work"), 600)
        store.drafts.save(work.id, "Quarterly numbers")
        targets = publishable(store, work)
        queue(store, store.drafts.save(work.id, "Launch day", [a.id for a in targets]), targets)
        store.feeds.add(work, "https://acme.example/feed.xml")
        store.guard.add(work, "own", "#acme")
    return two


def _holdings(cli: Cli) -> dict[str, list]:
    """The personas, and what Work holds while it exists (one export: two commands)."""
    personas = [p["name"] for p in cli.ok("persona", "list", "--json").json()]
    if "Work" not in personas:
        return {"personas": personas}
    work = cli.ok("export", "Work").json()
    return {
        "personas": personas,
        "accounts": [a["handle"] for a in work["accounts"]],
        "feeds": [f["url"] for f in work["feeds"]],
        "guard": [t["term"] for t in work["guard"]],
        "drafts": [d["text"] for d in work["drafts"] if d["state"] == "draft"],
        "outbox": [e["text"] for e in work["outbox"]],
    }


REMOVALS = {
    "persona rm": ("persona", "rm", "Work"),
    "account rm": ("account", "rm", "Work", "dan@acme"),
    "feed rm": ("feed", "rm", "Work", "https://acme.example/feed.xml"),
    "guard rm": ("guard", "rm", "Work", "#acme"),
}


@pytest.mark.parametrize("command", REMOVALS)
def test_without_a_terminal_or_yes_nothing_is_deleted(full: Cli, command: str) -> None:
    before = _holdings(full)
    refused = full.fails(*REMOVALS[command])
    assert f"personae: not deleted: {command} needs --yes" in refused.err
    assert _holdings(full) == before


GONE = {
    "persona rm": ("personas", ["Family"]),
    "account rm": ("accounts", []),
    "feed rm": ("feeds", []),
    "guard rm": ("guard", []),
}


@pytest.mark.parametrize("command", REMOVALS)
def test_with_yes_a_script_deletes(full: Cli, command: str) -> None:
    full.ok(*REMOVALS[command], "--yes")
    what, left = GONE[command]
    assert _holdings(full)[what] == left


def test_on_a_terminal_a_persona_is_deleted_only_when_its_name_is_typed(full: Cli) -> None:
    question = "Type 'Work' to confirm: "
    declined = full.on_terminal("persona", "rm", "Work", answer=(question, "yes"))
    assert declined.code == 1 and "not deleted" in declined.screen
    assert "Work" in _holdings(full)["personas"]

    typed = full.on_terminal("persona", "rm", "Work", answer=(question, "Work"))
    assert typed.code == 0, typed.screen
    assert "deleted persona Work" in typed.screen
    assert _holdings(full)["personas"] == ["Family"]


@pytest.mark.parametrize("command", ["account rm", "feed rm", "guard rm"])
def test_on_a_terminal_the_others_ask_y_or_n_and_default_to_no(full: Cli, command: str) -> None:
    before = _holdings(full)
    kept = full.on_terminal(*REMOVALS[command], answer=("[y/N] ", ""))
    assert kept.code == 1 and "not deleted" in kept.screen
    assert _holdings(full) == before

    agreed = full.on_terminal(*REMOVALS[command], answer=("[y/N] ", "y"))
    assert agreed.code == 0, agreed.screen
    what, left = GONE[command]
    assert _holdings(full)[what] == left
