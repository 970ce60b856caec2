"""Threads (Meta) through its Graph API (``graph.threads.net``) over httpx.

**Account.** ``server`` is the API's base URL (``https://graph.threads.net``); ``secret`` is
the Threads user access token; ``handle`` is ``@username``; ``session`` is JSON with the
user's id and username, recorded by ``verify``.

**Publishing exactly once, in two steps.** A post is a media container
(``POST /{user-id}/threads``, ``media_type=TEXT``), then ``POST /{user-id}/threads_publish
?creation_id=…``. The container's id is handed to ``post.checkpoint({"container": id})``
*before* the publish call, for the outbox to store; a retry that finds a stored container
asks its status (``GET /{container}?fields=status``) and lets it decide:
PUBLISHED — an earlier attempt published it: ``find_published`` looks it up among the
account's own posts and returns it; FINISHED — ready and not yet published: publish it;
IN_PROGRESS — not ready: ``ServerTrouble``, try later; EXPIRED (after 24 h) or ERROR — the
container is dead: a new one is made. Without a checkpoint callable the publish still runs
both steps, but a crash between them can only be recovered by ``find_published``, which
reads the user's posts since a little before the attempt (one request) and matches text.

**Reading.** The user's newest own posts, and the replies to the newest few of them
(``/{media-id}/replies``), keeping what is newer than the cursor (the newest timestamp
seen, epoch seconds): at most 1 + ``REPLIES_OF`` requests per read. Replies to older posts
are not read. 500 characters.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from personae.networks.base import (
    Capabilities,
    FetchResult,
    Network,
    Post,
    Published,
    Source,
    Verified,
)
from personae.networks.errors import AuthFailed, Rejected, ServerTrouble
from personae.networks.facebook import graph_send
from personae.networks.graph import RELOGIN
from personae.networks.webapi import (
    Answer,
    Limits,
    WebApi,
    attempt_time,
    base_url,
    comparable,
    host_of,
    ident,
    items,
    parse_time,
    text,
)
from personae.store import NewItem
from personae.store.text import one_line

API = "https://graph.threads.net"
VERSION = "v1.0"
POST_FIELDS = "id,text,timestamp,permalink,username"
PAGE, REPLIES_OF, FIND_LIMIT = 25, 5, 25
_ID = re.compile(r"\d{1,30}")


class ThreadsNetwork(Network):
    name = "threads"
    title = "Threads"
    capabilities = Capabilities(max_length=500, secret_label="access token", default_server=API)

    def __init__(self, limits: Limits | None = None, version: str = VERSION) -> None:
        self.api = WebApi("Threads", limits)
        self.version = version

    def verify(self, source: Source) -> Verified:
        call = _Call(self, source)
        me = call.send("GET", "/me", "logging in", {"fields": "id,username,name"})
        data = me.require_json(call.where)
        user_id, username = ident(data, "id"), one_line(text(data, "username"), 60)
        if not (_ID.fullmatch(user_id) and username):
            raise ServerTrouble(f"{call.where}: the account answer names no user")
        session = json.dumps({"user_id": user_id, "username": username}, sort_keys=True)
        return Verified(f"@{username}", session, one_line(text(data, "name"), 80))

    def prepare(self, text: str, idem_key: str) -> dict[str, Any]:
        return {"attempted_at": time.time()}

    def publish(self, source: Source, post: Post) -> Published:
        call = _Call(self, source)
        container = ident(post.details, "container")
        if _ID.fullmatch(container):
            status = self.container_status(call, container)
            if status == "PUBLISHED":
                found = self.find_published(source, post)
                if found is None:
                    raise ServerTrouble(
                        f"{call.where}: the post was published but is not listed yet; "
                        "will look again"
                    )
                return found
            if status == "FINISHED":
                return self._publish_container(call, container)
            if status == "IN_PROGRESS":
                raise ServerTrouble(f"{call.where}: the post is still being prepared")
            # EXPIRED, ERROR, or a container the server no longer knows: start again
        container = self._new_container(call, post.text)
        if post.checkpoint is not None:
            post.checkpoint({"container": container})
        return self._publish_container(call, container)

    def container_status(self, call: _Call, container: str) -> str:
        """The container's status; "" when the server no longer knows it."""
        try:
            answer = call.send("GET", f"/{container}", "checking the post", {"fields": "status"})
        except Rejected:
            return ""
        return text(answer.require_json(call.where), "status").upper()

    def _new_container(self, call: _Call, words: str) -> str:
        form = {"media_type": "TEXT", "text": words}
        answer = call.send("POST", f"/{call.user_id()}/threads", "preparing the post", form=form)
        container = ident(answer.require_json(call.where), "id")
        if not _ID.fullmatch(container):
            raise ServerTrouble(f"{call.where}: the answer names no container")
        return container

    def _publish_container(self, call: _Call, container: str) -> Published:
        form = {"creation_id": container}
        answer = call.send("POST", f"/{call.user_id()}/threads_publish", "publishing", form=form)
        media = ident(answer.require_json(call.where), "id")
        if not _ID.fullmatch(media):
            raise ServerTrouble(f"{call.where}: the answer to the post names no post")
        return Published(media, "")

    def find_published(self, source: Source, post: Post) -> Published | None:
        call = _Call(self, source)
        params = {
            "fields": "id,text,timestamp,permalink",
            "since": str(int(attempt_time(post.details))),
            "limit": str(FIND_LIMIT),
        }
        answer = call.send("GET", f"/{call.user_id()}/threads", "looking for the post", params)
        wanted = comparable(post.text)
        found = [
            (parse_time(p.get("timestamp")) or 0.0, ident(p, "id"), _link(p))
            for p in items(answer.require_json(call.where), "data")
            if _ID.fullmatch(ident(p, "id")) and comparable(text(p, "text")) == wanted
        ]
        if not found:
            return None
        _, media, url = min(found)
        return Published(media, url)

    def fetch(self, source: Source) -> FetchResult:
        call = _Call(self, source)
        since = int(source.cursor) if source.cursor.isdigit() else 0
        params = {"fields": POST_FIELDS, "limit": str(PAGE)}  # newest, for their replies too
        answer = call.send("GET", f"/{call.user_id()}/threads", "reading posts", params)
        own = [p for p in items(answer.require_json(call.where), "data") if _item(p)]
        found = [item for item in (_item(p) for p in own) if item and item.created > since]
        for post in own[:REPLIES_OF]:
            replies = call.send(
                "GET",
                f"/{ident(post, 'id')}/replies",
                "reading replies",
                {"fields": POST_FIELDS},
            )
            for reply in items(replies.require_json(call.where), "data"):
                item = _item(reply, replying_to=text(post, "text"))
                if item is not None and item.created > since:
                    found.append(item)
        newest = max([since, *(int(i.created) for i in found)])
        items_ = sorted({i.remote_id: i for i in found}.values(), key=lambda i: -i.created)
        return FetchResult(items=items_, cursor=str(newest) if newest else source.cursor)

    def close(self) -> None:
        self.api.close()


class _Call:
    def __init__(self, network: ThreadsNetwork, source: Source) -> None:
        self.api = network.api
        self.base = base_url(source.url, API, "Threads") + "/" + network.version
        self.where = f"Threads ({host_of(self.base)})"
        self.source = source

    def user_id(self) -> str:
        try:
            stored = json.loads(self.source.session) if self.source.session else {}
        except ValueError:
            stored = {}
        user_id = ident(stored, "user_id")
        return user_id if _ID.fullmatch(user_id) else "me"

    def send(
        self,
        method: str,
        path: str,
        doing: str,
        params: Mapping[str, str] | None = None,
        *,
        form: Mapping[str, str] | None = None,
    ) -> Answer:
        token = self.source.secret
        if not token:
            raise AuthFailed(f"{self.where}: no access token stored; {RELOGIN}")
        return graph_send(
            self.api, method, self.base + path, doing, token, self.where, params=params, form=form
        )


def _item(post: dict[str, Any], replying_to: str | None = None) -> NewItem | None:
    media, created = ident(post, "id"), parse_time(post.get("timestamp"))
    if not (_ID.fullmatch(media) and created is not None):
        return None
    username = one_line(text(post, "username"), 60)
    title = f"reply to: {one_line(replying_to, 60)}" if replying_to is not None else ""
    return NewItem(
        remote_id=media,
        created=created,
        author=f"@{username}" if username else "",
        title=title,
        text=text(post, "text"),
        url=_link(post),
    )


def _link(post: dict[str, Any]) -> str:
    url = text(post, "permalink")
    return url if urlsplit(url).scheme in ("http", "https") else ""
