"""The schema-3 store in ``tests/store/data/schema3.db``: what personae wrote before schema 4
(NULLs in sealed columns, plaintext guard kinds and send delays, control flags inside the
outbox's sealed details, no key check beside the wrapped store key).

It was made once by running ``python -m tests.store.legacy_store DIR`` with the code of commit
482ad18 (schema 3); ``test_migration.py`` opens a copy with today's code and checks that
nothing was lost. Run with today's code, this writes a current store, not a schema-3 one.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from personae.store import KdfParams, NewItem, Store
from tests.conftest import PASSPHRASE


def write(store_dir: Path) -> None:
    """Every kind of row the old code wrote, in every state it could leave them."""
    store = Store.create(store_dir, PASSPHRASE, kdf=KdfParams.cheap())
    work = store.personas.add("Work", colour="blue", glyph="W", send_delay=600)
    family = store.personas.add("Family", colour="orange", glyph="F")
    store.guard.add(work, "own", "#acme")
    store.guard.add(work, "blocked", "layoffs")
    store.guard.add(family, "own", "Oreo")
    acme = store.accounts.add(work, "local", "dan@acme", "/srv/acme", "acme-secret")
    oss = store.accounts.add(work, "local", "dan@oss", "/srv/oss")
    fam = store.accounts.add(family, "mastodon", "fam", "https://social.example", "fam-token")
    store.accounts.set_cursor(fam, "cursor-41")
    store.accounts.pause(oss, "token revoked")
    feed = store.feeds.add(family, "https://cookies.example/feed.xml")
    store.feeds.record_fetch(feed, etag='"v1"', last_modified="Tue, 01 Dec 2026 10:00:00 GMT")
    store.feeds.add(family, "https://gone.example/feed.xml")
    items = [NewItem(f"guid-{n}", 1_700_000_000 + n, "baker", f"t{n}", f"post {n}") for n in (1, 2)]
    store.timeline.add(family.id, "feed", feed.id, items)
    store.timeline.add(family.id, "account", fam.id, [NewItem("s1", 1_700_000_100, text="hi")])

    store.drafts.save(work.id, "editable draft", [acme.id, oss.id])
    queued = store.drafts.save(work.id, "queued to both", [acme.id, oss.id])
    store.outbox.enqueue(queued, [acme, oss], delay=600)
    offline = store.drafts.save(work.id, "waits for the network", [acme.id])
    (offline_entry,) = store.outbox.enqueue(offline, [acme])
    claimed = store.outbox.claim(store.outbox.get(offline_entry), {"net": {}}, owner="host:1")
    store.outbox.retry_later(claimed, "no route", time.time() + 60, reached_server=False)
    reached = store.drafts.save(work.id, "reached a server once", [acme.id])
    (reached_entry,) = store.outbox.enqueue(reached, [acme])
    claimed = store.outbox.claim(store.outbox.get(reached_entry), {"net": {"k": 1}}, "host:2")
    store.outbox.retry_later(claimed, "503", time.time() + 60)
    sending = store.drafts.save(family.id, "mid-send", [fam.id])
    (sending_entry,) = store.outbox.enqueue(sending, [fam])
    store.outbox.claim(store.outbox.get(sending_entry), {"net": {"rkey": "3k"}}, "host:3")
    sent = store.drafts.save(family.id, "already out", [fam.id])
    (sent_entry,) = store.outbox.enqueue(sent, [fam])
    store.outbox.mark_sent(store.outbox.claim(store.outbox.get(sent_entry), {}, "h:4"), "r-1")
    store.close()


if __name__ == "__main__":
    write(Path(sys.argv[1]))
