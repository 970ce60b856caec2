"""No secret and no post text reaches the disk in plaintext: not the database, not its WAL
or shared-memory file (read while another connection keeps the WAL alive), not TMPDIR, not
the config or cache directories."""

from __future__ import annotations

from pathlib import Path

from personae.store import Store
from tests.cli.conftest import Cli
from tests.conftest import PASSPHRASE

SECRETS = {
    "persona name": "Zanzibarista",
    "account handle": "quokka-handle-7731",
    "account secret": "s3cr3t-app-password-9911",
    "feed url": "https://marmalade-feeds.example/feed-4471.xml",
    "draft": "Periwinkle ZEBRA draft 8842",
    "queued post": "Oolong CANARY post 5519",
    "published post": "Tamarind HERON published 3307",
    "guard term": "#HushProject6627",
}


def _every_file(root: Path, skip: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and skip not in p.parents]


def _leaks(files: list[Path]) -> list[str]:
    found = []
    for path in files:
        data = path.read_bytes()
        for what, text in SECRETS.items():
            for form in (text.encode(), text.encode("utf-16-le"), text.lower().encode()):
                if form in data:
                    found.append(f"{what} in {path.name}")
    return found


def test_nothing_readable_on_disk_while_the_wal_is_held(cli: Cli) -> None:
    published = cli.home / "published"  # the "server": what lands there is public by design
    reader = Store.open(cli.store_dir, PASSPHRASE)
    with reader.read() as conn:  # a long read keeps every write in the WAL, unchecked
        conn.execute("SELECT count(*) FROM personas").fetchone()
        cli.ok("persona", "add", SECRETS["persona name"], "--glyph", "Z")
        cli.ok("persona", "set", SECRETS["persona name"], "--send-delay", "3600")
        cli.ok(
            "account",
            "add",
            SECRETS["persona name"],
            "local",
            "--handle",
            SECRETS["account handle"],
            "--server",
            str(published),
        )
        cli.ok("feed", "add", SECRETS["persona name"], SECRETS["feed url"], "--no-verify")
        cli.ok("draft", SECRETS["persona name"], SECRETS["draft"])
        cli.ok("guard", "add", SECRETS["persona name"], "own", SECRETS["guard term"])
        cli.ok("post", SECRETS["persona name"], SECRETS["queued post"])
        wal = cli.store_dir / "personae.db-wal"
        assert wal.exists() and wal.stat().st_size > 0
        assert _leaks(_every_file(cli.home, skip=published)) == []

    writer = Store.open(cli.store_dir, PASSPHRASE)
    persona = writer.personas.find(SECRETS["persona name"])
    writer.accounts.add(
        persona, "bluesky", "x.test", "http://127.0.0.1:1", SECRETS["account secret"]
    )
    writer.personas.set_send_delay(persona, 0)
    writer.close()
    reader.close()

    cli.ok(
        "post",
        SECRETS["persona name"],
        SECRETS["published post"],
        "--to",
        SECRETS["account handle"],
    )
    cli("sync")  # publishes locally, refreshes the timeline; the bluesky account is unreachable
    timeline = cli.ok("timeline", SECRETS["persona name"], "--json").json()
    assert SECRETS["published post"] in [item["text"] for item in timeline]

    assert _leaks(_every_file(cli.home, skip=published)) == []
    assert list(cli.tmp.iterdir()) == []  # nothing was left in TMPDIR
