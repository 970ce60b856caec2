"""A Mastodon account end to end through the installed ``personae`` command, against the
double: add it (token on stdin), queue a post, sync, read the home timeline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from store import Store
from tests.conftest import PASSPHRASE, fast_kdf

PERSONAE = Path(sys.executable).with_name("personae")


@pytest.fixture
def personae(tmp_path: Path):
    """``personae --store DIR ...`` as a user runs it: own HOME and TMPDIR, passphrase in
    the environment, a store made with cheap key derivation."""
    store_dir = tmp_path / "store"
    Store.create(store_dir, PASSPHRASE, kdf=fast_kdf()).close()
    (tmp_path / "tmp").mkdir()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "TMPDIR": str(tmp_path / "tmp"),
        "PERSONAE_PASSPHRASE": PASSPHRASE,
        "LANG": "C.UTF-8",
    }

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(PERSONAE), "--store", str(store_dir), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )

    return run


def test_a_post_goes_out_once_and_the_home_timeline_comes_in(double, personae):
    assert personae("persona", "add", "Work").returncode == 0
    added = personae(
        "account", "add", "Work", "mastodon", "--handle", "alice", "--server", double.url,
        stdin="alice_token\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "added Mastodon account @alice@127.0.0.1 to Work" in added.stderr
    double.post_as("bob", "Bob's news from the <i>office</i>")

    queued = personae("post", "Work", "Quarterly report is out")
    assert queued.returncode == 0, queued.stderr
    synced = personae("sync")
    assert synced.returncode == 0, synced.stderr + synced.stdout
    assert "published post" in synced.stdout
    again = personae("sync")

    assert again.returncode == 0 and "published" not in again.stdout
    statuses = double.statuses("alice")
    assert len(statuses) == 1 and "Quarterly report is out" in statuses[0]["content"]
    timeline = personae("timeline", "Work")
    assert timeline.returncode == 0, timeline.stderr
    assert "Bob (@bob@127.0.0.1)" in timeline.stdout
    assert "Bob's news from the <i>office</i>" in timeline.stdout
    assert "alice_token" not in added.stderr + synced.stdout + timeline.stdout


def test_a_wrong_token_saves_nothing_and_says_why_in_one_line(double, personae):
    personae("persona", "add", "Work")
    added = personae(
        "account", "add", "Work", "mastodon", "--handle", "alice", "--server", double.url,
        stdin="wrong-token-123\n",
    )  # fmt: skip
    assert added.returncode == 1
    [line] = added.stderr.strip().splitlines()[-1:]
    assert f"127.0.0.1:{double.port} refused the access token (401" in line
    assert "nothing saved" in line and "wrong-token-123" not in added.stderr
    assert "Traceback" not in added.stderr
    assert personae("account", "list", "--json").stdout.strip() == "[]"


def test_a_refused_token_pauses_the_account_and_the_post_waits_for_a_new_login(double, personae):
    personae("persona", "add", "Work")
    personae(
        "account", "add", "Work", "mastodon", "--handle", "alice", "--server", double.url,
        stdin="alice_token\n",
    )  # fmt: skip
    double.fault("status", status=401, path="/api/v1/statuses", count=1)
    personae("post", "Work", "Held until the token is fixed")

    synced = personae("sync", "Work")

    assert synced.returncode == 1
    assert f"paused @alice@127.0.0.1: 127.0.0.1:{double.port} refused the access token" in (
        synced.stdout
    )
    assert double.count_statuses("alice") == 0
    [entry] = json.loads(personae("outbox", "--json").stdout)
    assert entry["state"] == "queued"

    login = personae("account", "login", "Work", "@alice@127.0.0.1", stdin="alice_token\n")
    assert login.returncode == 0, login.stderr
    assert personae("sync", "Work").returncode == 0
    [status] = double.statuses("alice")
    assert "Held until the token is fixed" in status["content"]
