"""Deleting asks first. Without a terminal to ask on (a script, cron, a pipe) a removal
needs ``--yes``: otherwise nothing is deleted and the command fails saying so."""

from __future__ import annotations

import pytest

from tests.cli.conftest import Cli


@pytest.fixture
def full(two: Cli) -> Cli:
    """Work holds a draft, a queued post, a feed and a guard term, besides its account."""
    two.ok("persona", "set", "Work", "--send-delay", "600")
    two.ok("draft", "Work", "Quarterly numbers")
    two.ok("post", "Work", "Launch day")
    two.ok("feed", "add", "Work", "https://acme.example/feed.xml", "--no-verify")
    two.ok("guard", "add", "Work", "own", "#acme")
    return two


def _holdings(cli: Cli) -> dict[str, list]:
    """The personas, and what Work holds while it exists."""
    personas = [p["name"] for p in cli.ok("persona", "list", "--json").json()]
    if "Work" not in personas:
        return {"personas": personas}
    return {
        "personas": personas,
        "accounts": [a["handle"] for a in cli.ok("account", "list", "Work", "--json").json()],
        "feeds": [f["url"] for f in cli.ok("feed", "list", "Work", "--json").json()],
        "guard": [t["term"] for t in cli.ok("guard", "list", "Work", "--json").json()],
        "drafts": [d["text"] for d in cli.ok("drafts", "Work", "--json").json()],
        "outbox": [e["text"] for e in cli.ok("outbox", "--json").json()],
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
