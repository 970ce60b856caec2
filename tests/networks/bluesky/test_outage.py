"""The PDS stopped: a clear error, nothing lost, and the queued post goes out once it is back
— through the adapter, and end to end through ``personae`` and its store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from atproto import models

from personae.networks.base import Post
from personae.networks.errors import Unreachable
from tests.networks.bluesky.conftest import app_source

pytestmark = [pytest.mark.slow, pytest.mark.pds]

PERSONAE = str(Path(sys.executable).with_name("personae"))
PASSPHRASE = "a passphrase for the outage test"


def texts(server, account) -> list[str]:
    params = models.ComAtprotoRepoListRecords.Params(
        repo=account.did, collection="app.bsky.feed.post"
    )
    found = server.client(account).com.atproto.repo.list_records(params).records
    return sorted(r.value.text for r in found)


def test_a_stopped_pds_is_unreachable_and_the_retry_publishes_once(own_pds, bluesky):
    alice = own_pds.create_account("alice.test", "alice-password-1")
    source = app_source(own_pds, alice)
    session = bluesky.verify(source).session
    source = type(source)(url=source.url, handle=source.handle, secret=source.secret,
                          session=session)  # fmt: skip
    post = Post("while the server was down", "k", bluesky.prepare("x", "k"))
    own_pds.stop()

    with pytest.raises(Unreachable) as down:
        bluesky.publish(source, post)
    with pytest.raises(Unreachable):
        bluesky.fetch(source)

    assert str(down.value) == (
        f"cannot reach localhost:{own_pds.port} (connection refused); nothing was sent"
    )
    assert down.value.retry and not down.value.reached_server
    own_pds.start()
    bluesky.publish(source, post)
    bluesky.publish(source, post)
    assert texts(own_pds, alice) == ["while the server was down"]


def personae(store: Path, *args: str, secret: str | None = None) -> subprocess.CompletedProcess:
    """The real command line, as a user or cron runs it."""
    env = {**os.environ, "PERSONAE_PASSPHRASE": PASSPHRASE}
    return subprocess.run(
        [PERSONAE, "--store", str(store), *args],
        input=secret + "\n" if secret is not None else "",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def outbox(store: Path) -> dict[str, str]:
    """Each outbox entry's state, by the post's text."""
    return {e["text"]: e["state"] for e in json.loads(personae(store, "outbox", "--json").stdout)}


def test_personae_publishes_once_and_keeps_the_post_queued_while_offline(own_pds, tmp_path):
    alice = own_pds.create_account("alice.test", "alice-password-1")
    store = tmp_path / "store"
    assert personae(store, "init").returncode == 0
    assert personae(store, "persona", "add", "Work").returncode == 0
    added = personae(
        store, "account", "add", "Work", "bluesky", "--handle", alice.handle,
        "--server", own_pds.url, secret=own_pds.app_password(alice),
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert f"added Bluesky account {alice.handle} to Work" in added.stderr

    assert personae(store, "post", "Work", "hello from #personae").returncode == 0
    synced = personae(store, "sync")
    assert synced.returncode == 0, synced.stderr
    assert f"published post 1 to {alice.handle}" in synced.stdout
    assert texts(own_pds, alice) == ["hello from #personae"]

    own_pds.stop()
    assert personae(store, "post", "Work", "written offline").returncode == 0
    offline = personae(store, "sync")
    assert "offline" in offline.stdout + offline.stderr
    assert outbox(store) == {"hello from #personae": "sent", "written offline": "queued"}

    own_pds.start()
    back = personae(store, "sync")
    assert f"published post 2 to {alice.handle}" in back.stdout, back.stdout + back.stderr
    assert personae(store, "sync").stdout.count("published") == 0
    assert texts(own_pds, alice) == ["hello from #personae", "written offline"]
    assert outbox(store) == {"hello from #personae": "sent", "written offline": "sent"}
