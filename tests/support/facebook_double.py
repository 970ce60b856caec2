"""A double of Facebook's Graph API for Pages on loopback, for the Facebook adapter's tests.

    with FacebookDouble(specs_folder) as double:
        double.user_token("alice")            # a user token: alice manages two pages
        double.page_token("Acme Coffee")      # that page's token
        double.page_id("Acme Coffee")
        double.comment(post_id, "Bob", "hi")  # a visitor's comment
        double.count_posts("Acme Coffee")

Follows Meta's node specs (``Page.json``, ``PagePost.json``, ``User.json``): ``POST
/{page-id}/feed`` takes only the parameters Page.json lists for the feed edge, every
``fields=`` asked of a page, post or user must be a field of that node type, and an
unknown one is refused with ``(#100) Tried accessing nonexisting field (…) on node type
(…)`` as Graph does. Errors follow Graph's table: 190 expired token, 32 page throttled
(with ``X-Business-Use-Case-Usage``'s ``estimated_time_to_regain_access``), 200 missing
permission, 368 blocked, 506 duplicate message (the same text on the page within a day),
100/33 a post that does not exist. Tokens go in the Authorization header or the
``access_token`` parameter.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.api_double import ApiDouble, Fault, Reply, Request

VERSION = "v23.0"
PAGES = {"1010001": "Acme Coffee", "1010002": "Acme Jobs"}
USER = ("5005", "Alice Example")
NODES = ("Page", "PagePost", "User")


@dataclass
class FbPost:
    id: str
    page_id: str
    message: str
    created: float
    author: str = ""
    comments: list[dict[str, Any]] = field(default_factory=list)


class FacebookDouble(ApiDouble):
    name = "facebook"

    def __init__(self, specs: Path) -> None:
        super().__init__()
        self.fields = {node: _expandable(specs / f"{node}.json") for node in NODES}
        page_apis = json.loads((specs / "Page.json").read_text())["apis"]
        [feed_post] = [a for a in page_apis if (a["method"], a.get("endpoint")) == ("POST", "feed")]
        self.feed_params = {p["name"] for p in feed_post["params"]}
        self._ids = itertools.count(900_000_001)
        v = re.escape(VERSION)
        self.route("GET", rf"/{v}/me", self._me)
        self.route("GET", rf"/{v}/(?:me|{USER[0]})/accounts", self._accounts)
        self.route("POST", rf"/{v}/(\d+)/feed", self._publish)
        self.route("GET", rf"/{v}/(\d+)/(feed|posts)", self._read)
        self.route("DELETE", rf"/{v}/(\d+_\d+)", self._delete)
        self._seed()

    def _seed(self) -> None:
        self.posts: list[FbPost] = []

    def reset(self) -> None:
        with self.lock:
            super().reset()
            self._seed()

    @staticmethod
    def user_token(login: str = "alice") -> str:
        return f"{login}-fb-user-token"

    @staticmethod
    def page_id(name: str) -> str:
        return next(i for i, n in PAGES.items() if n == name)

    def page_token(self, name: str) -> str:
        return f"page-{self.page_id(name)}-token"

    def post_as(self, page: str, message: str, ago: float = 0.0, author: str = "") -> str:
        with self.lock:
            page_id = self.page_id(page)
            return self._new_post(page_id, message, ago, author or PAGES[page_id]).id

    def comment(self, post_id: str, author: str, message: str, ago: float = 0.0) -> str:
        with self.lock:
            [post] = [p for p in self.posts if p.id == post_id]
            comment_id = f"{post_id.split('_')[1]}_{next(self._ids)}"
            post.comments.append(
                {
                    "id": comment_id,
                    "message": message,
                    "created": time.time() - ago,
                    "author": author,
                }
            )
            return comment_id

    def count_posts(self, account: str) -> int:
        page_id = account if account in PAGES else self.page_id(account)
        with self.lock:
            return sum(1 for p in self.posts if p.page_id == page_id)

    def _new_post(self, page_id: str, message: str, ago: float, author: str) -> FbPost:
        post = FbPost(f"{page_id}_{next(self._ids)}", page_id, message, time.time() - ago, author)
        self.posts.append(post)
        return post

    # -- answering ------------------------------------------------------------------------

    def _who(self, request: Request) -> tuple[str, str] | Reply:
        """("user", user id) or ("page", page id) for the request's token."""
        token = request.bearer() or request.query.get("access_token", "")
        if token == self.user_token("alice"):
            return "user", USER[0]
        match = re.fullmatch(r"page-(\d+)-token", token)
        if match and match[1] in PAGES:
            return "page", match[1]
        return _graph_error(
            190, "Invalid OAuth access token - Cannot parse access token", status=400, subcode=None
        )

    def _fields(self, request: Request, node: str, default: str) -> list[str] | Reply:
        asked = _top_level(request.query.get("fields", default))
        for name in asked:
            if name.split(".")[0].split("{")[0] not in self.fields[node]:
                bad = name.split(".")[0].split("{")[0]
                return _graph_error(
                    100, f"(#100) Tried accessing nonexisting field ({bad}) on node type ({node})"
                )
        return asked

    def _me(self, request: Request) -> Reply:
        who = self._who(request)
        if isinstance(who, Reply):
            return who
        node = "User" if who[0] == "user" else "Page"
        asked = self._fields(request, node, "id,name")
        if isinstance(asked, Reply):
            return asked
        if who[0] == "user":
            values = {"id": USER[0], "name": USER[1]}
        else:
            values = {"id": who[1], "name": PAGES[who[1]], "category": "Coffee shop"}
        return Reply(200, {k: v for k, v in values.items() if k in asked})

    def _accounts(self, request: Request) -> Reply:
        who = self._who(request)
        if isinstance(who, Reply):
            return who
        if who[0] != "user":
            return _graph_error(
                100, "(#100) Tried accessing nonexisting field (accounts) on node type (Page)"
            )
        limit = int(request.query.get("limit", "25"))
        start = int(request.query.get("after", "0") or 0)
        listed = list(PAGES.items())
        data = [
            {
                "id": i,
                "name": n,
                "access_token": f"page-{i}-token",
                "category": "Business",
                "tasks": ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"],
            }
            for i, n in listed[start : start + limit]
        ]
        paging: dict[str, Any] = {"cursors": {"before": str(start), "after": str(start + limit)}}
        if start + limit < len(listed):
            paging["next"] = f"{self.url}/{VERSION}/me/accounts?after={start + limit}"
        return Reply(200, {"data": data, "paging": paging})

    def _publish(self, request: Request, page_id: str) -> Reply:
        with self.lock:
            who = self._who(request)
            if isinstance(who, Reply):
                return who
            if who != ("page", page_id):
                return _graph_error(
                    200,
                    "(#200) If posting to a page, requires both "
                    "pages_read_engagement and pages_manage_posts as an admin "
                    "with sufficient administrative permission",
                )
            form = request.form()
            unknown = set(form) - self.feed_params - {"access_token"}
            if unknown:
                return _graph_error(
                    100, f"(#100) Param {sorted(unknown)[0]} is not a valid parameter"
                )
            message = form.get("message", "")
            if not message.strip() and not form.get("link"):
                return _graph_error(100, "(#100) Missing message or attachment")
            day_ago = time.time() - 86400
            if any(
                p.page_id == page_id and p.message == message and p.created > day_ago
                for p in self.posts
            ):
                return _graph_error(506, "(#506) Duplicate status message", subcode=1455006)
            post = self._new_post(page_id, message, 0.0, PAGES[page_id])
        return Reply(200, {"id": post.id})

    def _read(self, request: Request, page_id: str, edge: str) -> Reply:
        with self.lock:
            who = self._who(request)
            if isinstance(who, Reply):
                return who
            asked = self._fields(request, "PagePost", "id,message,created_time")
            if isinstance(asked, Reply):
                return asked
            since = float(request.query.get("since", "0") or 0)
            limit = int(request.query.get("limit", "25"))
            chosen = [p for p in self.posts if p.page_id == page_id and p.created >= since]
            if edge == "posts":
                chosen = [p for p in chosen if p.author == PAGES[page_id]]
            chosen.sort(key=lambda p: -p.created)
            data = [self._post_json(p, asked) for p in chosen[:limit]]
        return Reply(200, {"data": data, "paging": {"cursors": {"before": "b", "after": "a"}}})

    def _post_json(self, post: FbPost, asked: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"id": post.id}
        names = {a.split(".")[0].split("{")[0] for a in asked}
        if "message" in names and post.message:
            out["message"] = post.message
        if "created_time" in names:
            out["created_time"] = _graph_time(post.created)
        if "from" in names:
            out["from"] = {"name": post.author, "id": post.page_id}
        if "permalink_url" in names:
            out["permalink_url"] = f"https://www.facebook.com/{post.id}"
        if "comments" in names and post.comments:
            out["comments"] = {
                "data": [
                    {
                        "id": c["id"],
                        "message": c["message"],
                        "created_time": _graph_time(c["created"]),
                        "from": {"name": c["author"], "id": "42"},
                    }
                    for c in post.comments
                ]
            }
        return out

    def _delete(self, request: Request, post_id: str) -> Reply:
        with self.lock:
            who = self._who(request)
            if isinstance(who, Reply):
                return who
            mine = [p for p in self.posts if p.id == post_id and who == ("page", p.page_id)]
            if not mine:
                return _graph_error(
                    100,
                    f"Unsupported delete request. Object with ID '{post_id}' does not exist",
                    subcode=33,
                )
            self.posts.remove(mine[0])
        return Reply(200, {"success": True})

    def fault_reply(self, fault: Fault, request: Request) -> Reply:
        if fault.kind == "ratelimit":
            reply = _graph_error(32, "(#32) Page request limit reached", subcode=2446079)
            usage = {
                "1010001": [
                    {
                        "type": "pages",
                        "call_count": 100,
                        "total_cputime": 40,
                        "total_time": 60,
                        "estimated_time_to_regain_access": fault.wait // 60,
                    }
                ]
            }
            reply.headers["X-Business-Use-Case-Usage"] = json.dumps(usage)
            return reply
        if fault.kind == "expired":
            return _graph_error(
                190,
                "Error validating access token: Session has expired on "
                "Tuesday, 01-Jul-25 10:00:00 PDT.",
                subcode=463,
            )
        if fault.kind == "duplicate":
            return _graph_error(506, "(#506) Duplicate status message", subcode=1455006)
        reply = _graph_error(
            2, "An unexpected error has occurred. Please retry your request later.", subcode=None
        )
        reply.status = fault.status
        reply.body["error"]["is_transient"] = True
        return reply


def _expandable(spec: Path) -> set[str]:
    """What ``fields=`` may name on a node: its fields, and its GET edges (field expansion,
    e.g. ``comments.limit(5){message}``)."""
    node = json.loads(spec.read_text())
    edges = {a["endpoint"] for a in node["apis"] if a["method"] == "GET" and a.get("endpoint")}
    return {f["name"] for f in node["fields"]} | edges


def _graph_error(code: int, message: str, status: int = 400, subcode: int | None = None) -> Reply:
    error: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "AbCdEfGh123",
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return Reply(
        status, {"error": error}, headers={"WWW-Authenticate": 'OAuth "Facebook Platform"'}
    )


def _top_level(fields: str) -> list[str]:
    """``a,b.limit(3){c,d},e`` → ["a", "b.limit(3){c,d}", "e"]."""
    out, depth, current = [], 0, ""
    for char in fields:
        depth += {"{": 1, "(": 1, "}": -1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            out.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        out.append(current.strip())
    return out


def _graph_time(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(moment))
