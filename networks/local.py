"""A local publishing target: a folder that plays the part of a server.

It lets a newcomer publish in the demo and watch the post arrive, and lets tests count what
was published, with no network at all. The account's server is the folder; each published
post is one JSON file named by its idempotency key, created exclusively, so a retry finds
the post already there instead of writing a second one. What lands here is published,
as it would be on a server; the folder is still kept private (0700/0600)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from personae.networks.base import (
    Capabilities,
    FetchResult,
    Network,
    Post,
    Published,
    Source,
    Verified,
)
from personae.networks.errors import Rejected, Unreachable
from personae.store import NewItem


class LocalNetwork(Network):
    name = "local"
    title = "Local folder"
    capabilities = Capabilities(max_length=500, needs_secret=False, secret_label="none")

    def verify(self, source: Source) -> Verified:
        self._account_dir(source)
        return Verified(handle=source.handle)

    def fetch(self, source: Source) -> FetchResult:
        items = []  # an account's timeline is what it published: personas stay apart here too
        for path in sorted(self._account_dir(source).glob("*.json")):
            try:
                post = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # a half-written or foreign file is not a post
            items.append(
                NewItem(
                    remote_id=post["id"],
                    created=post["created"],
                    author=post["author"],
                    text=post["text"],
                )
            )
        return FetchResult(items=items)

    def publish(self, source: Source, post: Post) -> Published:
        folder = self._account_dir(source)
        path = folder / f"{post.idem_key}.json"
        remote_id = f"local:{source.handle}/{post.idem_key}"
        record = {"id": remote_id, "author": source.handle, "text": post.text}
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            existing = json.loads(path.read_text(encoding="utf-8"))
            if existing["text"] != post.text:
                raise Rejected(f"{path.name} already holds a different post") from None
            return Published(remote_id=remote_id)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({**record, "created": time.time()}, out)
            out.flush()
            os.fsync(out.fileno())
        return Published(remote_id=remote_id)

    def delete(self, source: Source, remote_id: str) -> None:
        key = remote_id.rsplit("/", 1)[-1]
        (self._account_dir(source) / f"{key}.json").unlink(missing_ok=True)

    def _root(self, source: Source) -> Path:
        root = Path(source.url).expanduser()
        if not root.is_absolute():
            raise Rejected(f"a local target is an absolute folder path, not {source.url!r}")
        try:
            root.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            raise Unreachable(f"cannot use {root}: {error.strerror}") from None
        return root

    def _account_dir(self, source: Source) -> Path:
        if not source.handle or "/" in source.handle or source.handle.startswith("."):
            raise Rejected(f"not a usable local handle: {source.handle!r}")
        folder = self._root(source) / source.handle
        folder.mkdir(mode=0o700, exist_ok=True)
        return folder
