"""A double of the Threads API on loopback, for the Threads adapter's tests.

    with ThreadsDouble() as double:
        double.token("alice")
        double.user_id("alice")
        double.containers[cid].status = "EXPIRED"    # age a container
        double.new_containers_status = "IN_PROGRESS" # containers not ready yet
        double.reply(media_id, "bob", "nice")         # a reply to alice's post
        double.count_posts("alice")

Follows the published two-step flow (NOTES.md): ``POST /v1.0/{user-id}/threads``
(``media_type=TEXT``, ``text`` up to 500 characters) makes a container, ``POST
/v1.0/{user-id}/threads_publish?creation_id=…`` publishes a FINISHED one (and marks it
PUBLISHED; publishing it again, or one that is EXPIRED, ERROR or IN_PROGRESS, is refused),
``GET /v1.0/{container-id}?fields=status`` tells its status. ``/{user-id}/threads`` lists
the user's posts (``since``, ``limit``), ``/{media-id}/replies`` the replies to one. Errors
are Graph's: 190 token, 4 throttled, 24/4279009 not ready, 100 bad parameter.
"""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass
from typing import Any

from tests.support.api_double import ApiDouble, Fault, Reply, Request
from tests.support.facebook_double import _graph_error

VERSION = "v1.0"
USERS = {"alice": "7001", "bob": "7002"}


@dataclass
class Container:
    id: str
    user_id: str
    text: str
    status: str
    media_id: str = ""


@dataclass
class Media:
    id: str
    user_id: str
    text: str
    created: float
    reply_to: str = ""


class ThreadsDouble(ApiDouble):
    name = "threads"

    def __init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(17_890_000_000_000_001)
        v = re.escape(VERSION)
        self.route("GET", rf"/{v}/me", self._me)
        self.route("POST", rf"/{v}/(\d+)/threads", self._create)
        self.route("POST", rf"/{v}/(\d+)/threads_publish", self._publish)
        self.route("GET", rf"/{v}/(\d+)/threads", self._list)
        self.route("GET", rf"/{v}/(\d+)/replies", self._replies)
        self.route("GET", rf"/{v}/(\d+)", self._status)
        self._seed()

    def _seed(self) -> None:
        self.containers: dict[str, Container] = {}
        self.media: list[Media] = []
        self.new_containers_status = "FINISHED"

    def reset(self) -> None:
        with self.lock:
            super().reset()
            self._seed()

    @staticmethod
    def token(login: str) -> str:
        return f"{login}-threads-token"

    @staticmethod
    def user_id(login: str) -> str:
        return USERS[login]

    def count_posts(self, account: str) -> int:
        with self.lock:
            return sum(1 for m in self.media if m.user_id == USERS[account] and not m.reply_to)

    def post_as(self, login: str, words: str, ago: float = 0.0) -> str:
        with self.lock:
            return self._new_media(USERS[login], words, ago).id

    def reply(self, media_id: str, login: str, words: str, ago: float = 0.0) -> str:
        with self.lock:
            return self._new_media(USERS[login], words, ago, reply_to=media_id).id

    def _new_media(self, user_id: str, words: str, ago: float, reply_to: str = "") -> Media:
        media = Media(str(next(self._ids)), user_id, words, time.time() - ago, reply_to)
        self.media.append(media)
        return media

    # -- answering ------------------------------------------------------------------------

    def _caller(self, request: Request) -> str | Reply:
        token = request.bearer() or request.query.get("access_token", "")
        for login, user_id in USERS.items():
            if token == self.token(login):
                return user_id
        return _graph_error(190, "Invalid OAuth access token - Cannot parse access token")

    def _login(self, user_id: str) -> str:
        return next(login for login, uid in USERS.items() if uid == user_id)

    def _me(self, request: Request) -> Reply:
        caller = self._caller(request)
        if isinstance(caller, Reply):
            return caller
        login = self._login(caller)
        return Reply(200, {"id": caller, "username": login, "name": login.capitalize()})

    def _create(self, request: Request, user_id: str) -> Reply:
        with self.lock:
            caller = self._caller(request)
            if isinstance(caller, Reply):
                return caller
            form = {**request.query, **request.form()}
            if caller != user_id:
                return _graph_error(10, "(#10) Application does not have permission")
            if form.get("media_type") != "TEXT" or not form.get("text"):
                return _graph_error(100, "(#100) The parameter media_type is required")
            if len(form["text"]) > 500:
                return _graph_error(100, "(#100) Param text must be at most 500 characters")
            container = Container(
                str(next(self._ids)), user_id, form["text"], self.new_containers_status
            )
            self.containers[container.id] = container
        return Reply(200, {"id": container.id})

    def _publish(self, request: Request, user_id: str) -> Reply:
        with self.lock:
            caller = self._caller(request)
            if isinstance(caller, Reply):
                return caller
            form = {**request.query, **request.form()}
            container = self.containers.get(form.get("creation_id", ""))
            if container is None or container.user_id != caller or caller != user_id:
                return _graph_error(100, "(#100) Param creation_id is not a valid container")
            if container.status != "FINISHED":
                return _graph_error(
                    24,
                    f"The media is not ready for publishing ({container.status})",
                    subcode=4279009,
                )
            media = self._new_media(caller, container.text, 0.0)
            container.status, container.media_id = "PUBLISHED", media.id
        return Reply(200, {"id": media.id})

    def _status(self, request: Request, object_id: str) -> Reply:
        with self.lock:
            caller = self._caller(request)
            if isinstance(caller, Reply):
                return caller
            container = self.containers.get(object_id)
            if container is None or container.user_id != caller:
                return _graph_error(
                    100, f"(#100) Object with ID '{object_id}' does not exist", subcode=33
                )
            body: dict[str, Any] = {"id": container.id, "status": container.status}
            if container.status == "ERROR":
                body["error_message"] = "FAILED_PROCESSING"
        return Reply(200, body)

    def _list(self, request: Request, user_id: str) -> Reply:
        with self.lock:
            caller = self._caller(request)
            if isinstance(caller, Reply):
                return caller
            since = float(request.query.get("since", "0") or 0)
            limit = int(request.query.get("limit", "25"))
            mine = [
                m
                for m in self.media
                if m.user_id == user_id and not m.reply_to and m.created >= since
            ]
            mine.sort(key=lambda m: -m.created)
            data = [self._media_json(m) for m in mine[:limit]]
        return Reply(200, {"data": data, "paging": {"cursors": {"before": "b", "after": "a"}}})

    def _replies(self, request: Request, media_id: str) -> Reply:
        with self.lock:
            caller = self._caller(request)
            if isinstance(caller, Reply):
                return caller
            replies = sorted(
                (m for m in self.media if m.reply_to == media_id), key=lambda m: -m.created
            )
            data = [self._media_json(m) for m in replies]
        return Reply(200, {"data": data})

    def _media_json(self, media: Media) -> dict[str, Any]:
        login = self._login(media.user_id)
        return {
            "id": media.id,
            "text": media.text,
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(media.created)),
            "permalink": f"https://www.threads.net/@{login}/post/{media.id}",
            "username": login,
        }

    def fault_reply(self, fault: Fault, request: Request) -> Reply:
        if fault.kind == "ratelimit":
            reply = _graph_error(4, "Application request limit reached")
            reply.headers["Retry-After"] = str(fault.wait)
            return reply
        if fault.kind == "expired":
            return _graph_error(
                190, "Error validating access token: Session has expired", subcode=463
            )
        if fault.kind == "duplicate":
            return _graph_error(506, "(#506) Duplicate post")
        reply = _graph_error(2, "Service temporarily unavailable")
        reply.status = fault.status
        return reply
