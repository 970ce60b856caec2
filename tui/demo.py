"""``personae --demo``: a throwaway store with two personas of one person, Dan — the Acme
engineer and the family baker — whose worlds must not mix.

Everything lives in one private temporary directory (0700) removed on exit: the encrypted
store, and a local publishing target (a folder) that plays the server, so a newcomer can
publish and watch the post arrive in the timeline. The timelines come from feed files
shipped in ``tui/demo_feeds/``, parsed by the real feed parser; a small HTTP server on 127.0.0.1
serves the same files so that refresh (r) works without any network."""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import as_file, files
from pathlib import Path

from personae.store import GuardKind, KdfParams, SourceKind, Store

PASSPHRASE = "demo"
FEEDS_NEWEST = 1741942800.0  # 2025-03-14 09:00 UTC: the newest item in the shipped feeds
FEEDS = {
    "work": ("acme-engineering.xml", "industry-news.xml"),
    "family": ("cookie-club.xml", "school-news.xml"),
}


@dataclass(frozen=True)
class PersonaPlan:
    key: str
    name: str
    colour: str
    glyph: str
    send_delay: int
    handle: str
    own: tuple[str, ...]
    blocked: tuple[str, ...]
    drafts: tuple[str, ...]


PLANS = (
    PersonaPlan(
        "work",
        "Dan @ Acme",
        "blue",
        "■",
        30,
        "dan.acme",
        own=("#ProjectSMT", "#acme", "acme.example"),
        blocked=("#confidential",),
        drafts=("Slides for the #ProjectSMT beta review are up; feedback welcome by Friday.",),
    ),
    PersonaPlan(
        "family",
        "Cookie Dan",
        "orange",
        "♥",
        0,
        "cookiedan",
        own=("#cookies", "#bakesale"),
        blocked=(),
        drafts=(
            "Two dozen brown butter #cookies ready for the #bakesale tomorrow!",
            "Can't wait to show everyone the #ProjectSMT demo at the trade show",
        ),
    ),
)


def demo_dir() -> Path:
    """The shipped feed files (a real directory, also inside a zip install)."""
    return Path(str(files("personae.tui") / "demo_feeds"))


def populate(store: Store, target: Path, feed_base: str, now: float | None = None) -> None:
    """Fill an empty, unlocked store with the demo's personas, accounts, feeds, guard
    terms, drafts and timelines (feeds parsed from the shipped files). With ``now``, the
    items are moved in time so the newest is an hour old, as in a live timeline."""
    from personae.networks.feeds import parse_feed

    for plan in PLANS:
        persona = store.personas.add(plan.name, plan.colour, plan.glyph, plan.send_delay)
        account = store.accounts.add(persona, "local", plan.handle, str(target))
        for term in plan.own:
            store.guard.add(persona, GuardKind.OWN, term)
        for term in plan.blocked:
            store.guard.add(persona, GuardKind.BLOCKED, term)
        for name in FEEDS[plan.key]:
            feed = store.feeds.add(persona, f"{feed_base}/{name}")
            parsed = parse_feed((demo_dir() / name).read_bytes(), feed.url)
            shift = 0.0 if now is None else now - 3600 - FEEDS_NEWEST
            items = [replace(item, created=item.created + shift) for item in parsed.items]
            store.timeline.add(persona.id, SourceKind.FEED, feed.id, items)
        for text in plan.drafts:
            store.drafts.save(persona.id, text, [account.id])


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No request log: it would land on the app's terminal."""


class Demo:
    """Context manager: the demo store, unlocked; everything removed on exit."""

    def __init__(self, kdf: KdfParams | None = None) -> None:
        # Cheap key derivation: the demo holds nothing secret and should start at once.
        self.kdf = kdf or KdfParams.cheap()
        self.root: Path | None = None
        self.store: Store | None = None
        self._server: ThreadingHTTPServer | None = None
        self._files: AbstractContextManager[Path] | None = None

    @property
    def note(self) -> str:
        return (
            "A throwaway store, removed on exit (passphrase after ctrl+l: demo). Keys 1 and 2 "
            "swap personas; c writes, ctrl+s publishes to a local folder; o shows the outbox."
        )

    def __enter__(self) -> Demo:
        self.root = Path(tempfile.mkdtemp(prefix="personae-demo-"))  # mode 0700
        try:
            self._files = as_file(files("personae.tui") / "demo_feeds")
            folder = self._files.__enter__()
            handler = partial(_QuietHandler, directory=str(folder))
            self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
            threading.Thread(target=self._server.serve_forever, daemon=True).start()
            base = f"http://127.0.0.1:{self._server.server_address[1]}"
            self.store = Store.create(self.root / "store", PASSPHRASE, kdf=self.kdf)
            populate(self.store, self.root / "published", base, now=time.time())
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._files is not None:
            self._files.__exit__(None, None, None)
            self._files = None
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None
