"""A double of LinkedIn's Posts API on loopback, for the LinkedIn adapter's tests.

    with LinkedInDouble() as double:
        double.token("alice")                       # alice's access token (60 days)
        double.token("alice", read=False)           # one without r_member_social
        double.person("alice")                      # urn:li:person:alice-sub
        double.ORG                                  # a page alice administers
        double.count_posts("alice")                 # posts as alice (member)
        double.count_posts(double.ORG)              # posts as the page

Follows the published API (NOTES.md): every ``/rest/`` request must carry
``LinkedIn-Version`` (missing: 400; older than a year: 426 NONEXISTENT_VERSION) and
``X-Restli-Protocol-Version: 2.0.0``; ``POST /rest/posts`` checks the body's fields and the
author (the member, or a page they administer), answers ``201`` with an empty body and the
new URN in ``x-restli-id``, and refuses the same commentary by the same author within a
day with ``422`` ``DUPLICATE_POST`` naming the existing URN. ``GET /rest/posts?q=author``
needs ``r_member_social`` for a member (a token made with ``read=False`` lacks it: 403).
Errors are ``{"status", "serviceErrorCode", "code", "message"}``. No rate-limit headers.
"""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

import httpx

from tests.support.api_double import ApiDouble, Fault, Reply, Request

OLDEST_VERSION = "202506"  # versions before this one are retired in the double
MEMBERS = ("alice", "bob")
REQUIRED = ("author", "commentary", "visibility", "distribution", "lifecycleState")


@dataclass
class Share:
    urn: str
    author: str
    commentary: str
    created_ms: int


class LinkedInDouble(ApiDouble):
    name = "linkedin"
    ORG = "urn:li:organization:2414183"

    def __init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(7_100_000_000_000_000_000)
        self.route("GET", r"/v2/userinfo", self._userinfo)
        self.route("POST", r"/rest/posts", self._create)
        self.route("GET", r"/rest/posts", self._find)
        self.route("DELETE", r"/rest/posts/(.+)", self._delete)
        self.route("GET", r"/oauth/v2/authorization", self._authorize)
        self.route("POST", r"/oauth/v2/accessToken", self._token)
        self._seed()

    def _seed(self) -> None:
        self.shares: list[Share] = []
        self.tokens: dict[str, tuple[str, float, bool]] = {}  # → (login, expiry, can read)
        self.codes: dict[str, tuple[str, str]] = {}  # code → (login, redirect uri)
        for login in MEMBERS:
            self.tokens[self.token(login)] = (login, time.time() + 60 * 86400, True)
            self.tokens[self.token(login, read=False)] = (login, time.time() + 60 * 86400, False)

    def reset(self) -> None:
        with self.lock:
            super().reset()
            self._seed()

    @staticmethod
    def token(login: str, read: bool = True) -> str:
        return f"{login}-li-token" + ("" if read else "-no-read")

    @staticmethod
    def person(login: str) -> str:
        return f"urn:li:person:{login}-sub"

    def count_posts(self, author: str) -> int:
        urn = author if author.startswith("urn:") else self.person(author)
        with self.lock:
            return sum(1 for s in self.shares if s.author == urn)

    def post_as(self, author: str, commentary: str, ago: float = 0.0) -> str:
        urn = author if author.startswith("urn:") else self.person(author)
        with self.lock:
            return self._new_share(urn, commentary, ago).urn

    def revoke(self, login: str) -> None:
        with self.lock:
            for token, (owner, _, read) in list(self.tokens.items()):
                if owner == login:
                    self.tokens[token] = (owner, 0.0, read)

    def grant(self, authorize_url: str, login: str) -> str:
        query = urlsplit(authorize_url).query
        answer = httpx.get(f"{self.url}/oauth/v2/authorization?{query}", headers={"X-User": login})
        return answer.headers["location"]

    # -- answering ------------------------------------------------------------------------

    def _new_share(self, author: str, commentary: str, ago: float = 0.0) -> Share:
        share = Share(
            f"urn:li:share:{next(self._ids)}", author, commentary, int((time.time() - ago) * 1000)
        )
        self.shares.append(share)
        return share

    def _caller(self, request: Request, rest: bool = True) -> tuple[str, bool] | Reply:
        held = self.tokens.get(request.bearer())
        if held is None:
            return _error(401, 65600, "INVALID_ACCESS_TOKEN", "Invalid access token")
        if held[1] <= time.time():
            return _error(
                401,
                65601,
                "REVOKED_ACCESS_TOKEN",
                "The token used in the request has been revoked by the user",
            )
        if rest:
            version = request.headers.get("linkedin-version", "")
            if not version:
                return _error(
                    400,
                    0,
                    "VERSION_MISSING",
                    "A version must be present. Please "
                    "specify a version by adding the LinkedIn-Version header.",
                )
            if not version.isdigit() or version < OLDEST_VERSION:
                return _error(
                    426, 0, "NONEXISTENT_VERSION", f"Requested version {version[:12]} is not active"
                )
            if request.headers.get("x-restli-protocol-version") != "2.0.0":
                return _error(
                    400, 0, "PROTOCOL_VERSION", "X-Restli-Protocol-Version 2.0.0 is required"
                )
        return held[0], held[2]

    def _userinfo(self, request: Request) -> Reply:
        with self.lock:
            caller = self._caller(request, rest=False)
        if isinstance(caller, Reply):
            return caller
        login = caller[0]
        return Reply(
            200,
            {
                "sub": f"{login}-sub",
                "name": login.capitalize() + " Example",
                "given_name": login.capitalize(),
                "family_name": "Example",
                "locale": {"country": "US", "language": "en"},
            },
        )

    def _may_post_as(self, login: str, author: str) -> bool:
        return author == self.person(login) or (author == self.ORG and login == "alice")

    def _create(self, request: Request) -> Reply:
        with self.lock:
            caller = self._caller(request)
            if isinstance(caller, Reply):
                return caller
            body = request.json()
            if not isinstance(body, dict) or any(k not in body for k in REQUIRED):
                return _error(
                    422,
                    100,
                    "UNPROCESSABLE_ENTITY",
                    "ERROR :: /author :: field is required but not found",
                )
            author, commentary = body["author"], body["commentary"]
            if not self._may_post_as(caller[0], author):
                return _error(
                    403,
                    100,
                    "ACCESS_DENIED",
                    f"Member is not authorized to create a post as {author}",
                )
            if len(commentary) > 3000:
                return _error(
                    422, 100, "UNPROCESSABLE_ENTITY", "ERROR :: /commentary :: length exceeds 3000"
                )
            day_ago = (time.time() - 86400) * 1000
            for share in self.shares:
                if (share.author, share.commentary) == (author, commentary) and (
                    share.created_ms > day_ago
                ):
                    return _duplicate(share.urn)
            share = self._new_share(author, commentary)
        return Reply(201, b"", headers={"x-restli-id": share.urn}, content_type="")

    def _find(self, request: Request) -> Reply:
        with self.lock:
            caller = self._caller(request)
            if isinstance(caller, Reply):
                return caller
            author = request.query.get("author", "")
            if request.query.get("q") != "author" or not self._may_post_as(caller[0], author):
                return _error(
                    403,
                    100,
                    "ACCESS_DENIED",
                    "Not enough permissions to access: partnerApiPostsExternal.FINDER-author",
                )
            if author.startswith("urn:li:person:") and not caller[1]:
                return _error(
                    403,
                    100,
                    "ACCESS_DENIED",
                    "Not enough permissions to access: "
                    "partnerApiPostsExternal.FINDER-author (r_member_social)",
                )
            count = int(request.query.get("count", "10"))
            mine = sorted(
                (s for s in self.shares if s.author == author), key=lambda s: -s.created_ms
            )[:count]
        elements = [
            {
                "id": s.urn,
                "author": s.author,
                "commentary": s.commentary,
                "createdAt": s.created_ms,
                "publishedAt": s.created_ms,
                "lastModifiedAt": s.created_ms,
                "lifecycleState": "PUBLISHED",
                "visibility": "PUBLIC",
            }
            for s in mine
        ]
        return Reply(
            200, {"elements": elements, "paging": {"start": 0, "count": count, "links": []}}
        )

    def _delete(self, request: Request, encoded: str) -> Reply:
        urn = unquote(encoded)
        with self.lock:
            caller = self._caller(request)
            if isinstance(caller, Reply):
                return caller
            mine = [
                s for s in self.shares if s.urn == urn and self._may_post_as(caller[0], s.author)
            ]
            if not mine:
                return _error(404, 0, "NOT_FOUND", f"Post {urn} does not exist")
            self.shares.remove(mine[0])
        return Reply(204, b"", content_type="")

    def _authorize(self, request: Request) -> Reply:
        login = request.headers.get("x-user", "")
        code = secrets.token_urlsafe(12)
        with self.lock:
            self.codes[code] = (login, request.query.get("redirect_uri", ""))
        target = f"{request.query['redirect_uri']}?" + urlencode(
            {"code": code, "state": request.query.get("state", "")}
        )
        return Reply(302, b"", headers={"Location": target}, content_type="text/html")

    def _token(self, request: Request) -> Reply:
        form = request.form()
        with self.lock:
            held = self.codes.pop(form.get("code", ""), None)
            if held is None or held[1] != form.get("redirect_uri") or not form.get("client_secret"):
                return Reply(
                    400,
                    {
                        "error": "invalid_request",
                        "error_description": "Unable to retrieve access token: "
                        "authorization code not found",
                    },
                )
            token = secrets.token_urlsafe(24)
            self.tokens[token] = (held[0], time.time() + 5183999, False)
        return Reply(
            200,
            {
                "access_token": token,
                "expires_in": 5183999,
                "scope": "openid,profile,w_member_social",
            },
        )

    def fault_reply(self, fault: Fault, request: Request) -> Reply:
        if fault.kind == "ratelimit":
            reply = _error(
                429,
                101,
                "TOO_MANY_REQUESTS",
                "Resource level throttle APPLICATION "
                "DAY limit for calls to this resource is reached.",
            )
            if fault.wait:
                reply.headers["Retry-After"] = str(fault.wait)
            return reply
        if fault.kind == "expired":
            return _error(
                401, 65602, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired"
            )
        if fault.kind == "duplicate":
            with self.lock:
                latest = self.shares[-1].urn if self.shares else "urn:li:share:1"
            return _duplicate(latest)
        return _error(fault.status, 0, "INTERNAL_SERVER_ERROR", "Internal Server Error")


def _error(status: int, service_code: int, code: str, message: str) -> Reply:
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if service_code:
        body["serviceErrorCode"] = service_code
    return Reply(status, body)


def _duplicate(urn: str) -> Reply:
    reply = _error(
        422, 100, "UNPROCESSABLE_ENTITY", f"ERROR :: /commentary :: Content is a duplicate of {urn}"
    )
    reply.body["errorDetails"] = {
        "inputErrors": [
            {
                "code": "DUPLICATE_POST",
                "description": f"Content is a duplicate of {urn}",
                "input": {"inputPath": {"fieldPath": "/commentary"}},
            }
        ]
    }
    return reply
