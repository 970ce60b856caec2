"""A Mastodon account end to end through the installed ``personae`` command, against the
double: add it (token on stdin), queue a post, sync, read the home timeline."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from personae.store import KdfParams, Store
from tests.cli.conftest import Cli
from tests.conftest import PASSPHRASE
from tests.networks.mastodon.sources import grant_in_browser

PERSONAE = Path(sys.executable).with_name("personae")


@pytest.fixture
def personae(tmp_path: Path):
    """``personae --store DIR ...`` as a user runs it (tests/cli's runner), on a new store."""
    cli = Cli(tmp_path)
    Store.create(cli.store_dir, PASSPHRASE, kdf=KdfParams.cheap()).close()
    return lambda *args, stdin="": cli(*args, input=stdin)


def test_a_post_goes_out_once_and_the_home_timeline_comes_in(double, personae):
    assert personae("persona", "add", "Work").code == 0
    added = personae(
        "account", "add", "Work", "mastodon", "--handle", "alice", "--server", double.url,
        stdin="alice_token\n",
    )  # fmt: skip
    assert added.code == 0, added.err
    assert "added Mastodon account @alice@127.0.0.1 to Work" in added.err
    double.post_as("bob", "Bob's news from the <i>office</i>")

    queued = personae("post", "Work", "Quarterly report is out")
    assert queued.code == 0, queued.err
    synced = personae("sync")
    assert synced.code == 0, synced.err + synced.out
    assert "published post" in synced.out
    again = personae("sync")

    assert again.code == 0 and "published" not in again.out
    statuses = double.statuses("alice")
    assert len(statuses) == 1 and "Quarterly report is out" in statuses[0]["content"]
    timeline = personae("timeline", "Work")
    assert timeline.code == 0, timeline.err
    assert "Bob (@bob@127.0.0.1)" in timeline.out
    assert "Bob's news from the <i>office</i>" in timeline.out
    assert "alice_token" not in added.err + synced.out + timeline.out


def test_a_wrong_token_saves_nothing_and_says_why_in_one_line(double, personae):
    personae("persona", "add", "Work")
    added = personae(
        "account", "add", "Work", "mastodon", "--handle", "alice", "--server", double.url,
        stdin="wrong-token-123\n",
    )  # fmt: skip
    assert added.code == 1
    [line] = added.err.strip().splitlines()[-1:]
    assert f"127.0.0.1:{double.port} refused the access token (401" in line
    assert "nothing saved" in line and "wrong-token-123" not in added.err
    assert "Traceback" not in added.err
    assert personae("account", "list", "--json").out.strip() == "[]"


def test_a_refused_token_pauses_the_account_and_the_post_waits_for_a_new_login(double, personae):
    personae("persona", "add", "Work")
    personae(
        "account", "add", "Work", "mastodon", "--handle", "alice", "--server", double.url,
        stdin="alice_token\n",
    )  # fmt: skip
    double.fault("status", status=401, path="/api/v1/statuses", count=1)
    personae("post", "Work", "Held until the token is fixed")

    synced = personae("sync", "Work")

    assert synced.code == 1
    assert (
        f"personae: paused @alice@127.0.0.1: 127.0.0.1:{double.port} refused the access token"
        in (synced.err)
    )
    assert double.count_statuses("alice") == 0
    [entry] = json.loads(personae("outbox", "--json").out)
    assert entry["state"] == "queued"

    login = personae("account", "login", "Work", "@alice@127.0.0.1", stdin="alice_token\n")
    assert login.code == 0, login.err
    assert personae("sync", "Work").code == 0
    [status] = double.statuses("alice")
    assert "Held until the token is fixed" in status["content"]


def test_an_account_added_through_the_oauth_flow_logs_in(double, tmp_path):
    """`account add --oauth`: personae prints where to authorize, the user pastes the code
    the page shows, and the account is saved under the handle the server names."""
    cli = Cli(tmp_path)
    Store.create(cli.store_dir, PASSPHRASE, kdf=KdfParams.cheap()).close()
    cli.ok("persona", "add", "Work")
    adding = subprocess.Popen(
        [str(PERSONAE), "--store", str(cli.store_dir), "account", "add", "Work", "mastodon",
         "--server", double.url, "--oauth"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=cli.env,
    )  # fmt: skip
    while not (line := adding.stderr.readline()).startswith(double.url):
        assert line, "personae never printed the address to authorize at"
    code = grant_in_browser(double.url, line.strip(), "carol")
    _, err = adding.communicate(code + "\n", timeout=60)
    assert adding.returncode == 0, err
    accounts = cli.ok("account", "list", "--json").json()
    assert [(a["handle"], a["network"]) for a in accounts] == [("@carol@127.0.0.1", "mastodon")]


def test_oauth_is_refused_for_other_networks_and_a_handle_is_otherwise_needed(tmp_path):
    cli = Cli(tmp_path)
    Store.create(cli.store_dir, PASSPHRASE, kdf=KdfParams.cheap()).close()
    cli.ok("persona", "add", "Work")
    assert "for Mastodon" in cli.fails("account", "add", "Work", "local", "--server", "/x",
                                       "--oauth").err  # fmt: skip
    assert "--handle" in cli.fails("account", "add", "Work", "local", "--server", "/x").err


def test_a_handle_saved_unverified_becomes_a_guard_term_only_once_verified(double, personae):
    """`--handle me --no-verify` must not make the word "me" another persona's; the login
    that verifies it stores the server's own handle, which then is guarded."""
    personae("persona", "add", "Work")
    personae("persona", "add", "Family")
    added = personae(
        "account", "add", "Work", "mastodon", "--handle", "me", "--server", double.url,
        "--no-verify", stdin="alice_token\n",
    )  # fmt: skip
    assert added.code == 0, added.err
    personae("account", "add", "Family", "local", "--handle", "fam", "--server", "/tmp/x")
    before = personae("post", "Family", "Tell me about it @alice@127.0.0.1")
    assert before.code == 0, before.err  # neither "me" nor the unverified handle is Work's yet

    login = personae("account", "login", "Work", "me", stdin="alice_token\n")
    assert login.code == 0, login.err
    assert "@alice@127.0.0.1 verified" in login.err
    after = personae("post", "Family", "Thanks @alice@127.0.0.1!")
    assert after.code == 1
    assert "'@alice@127.0.0.1' belongs to Work" in after.err
    assert "'me'" not in after.err
