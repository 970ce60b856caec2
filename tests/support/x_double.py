"""A double of X API v2 on loopback, for the X adapter's tests.

    with XDouble(spec_path, cassettes) as double:
        double.token("alice")                    # alice's access token
        double.post_as("bob", "hello")           # a post by bob (alice follows bob)
        double.count_posts("alice")
        double.grant(authorize_url, "alice")     # the browser step of OAuth: the redirect
        double.expire_tokens("alice")            # her access tokens now answer 401
        double.violations                        # requests/answers that broke the spec

**Follows the published API.** Every request to an endpoint of X's OpenAPI spec
(``openapi.json``) and every answer the double gives is validated against it with
openapi-core; what fails is recorded in ``violations`` (the tests' fixture fails on any),
and an invalid request is answered 400 as X would. Two exceptions, both documented by X
outside the spec: the OAuth endpoints (``/2/oauth2/token``, ``/i/oauth2/authorize``), and
error bodies of type ``about:blank`` (401, 429, the 403 "duplicate content" — NOTES.md),
which the spec's Problem union does not list and which are checked against RFC 7807's
members instead.

**Replays the recorded exchanges.** The accounts the cassettes were recorded with are
seeded — ``tweepydev`` (id 1072250532645998596, home timeline, ``/2/users/me``) and
``twitter`` (id 783214, mentions, own posts) — and a first-page GET (no ``since_id``,
``pagination_token`` or ``start_time``) of a path a cassette recorded is answered with the
recorded status, body (gzip+base64 decoded) and rate-limit headers.

**Behaves like X.** Bearer tokens per user, 2-hour access tokens, PKCE (S256) with
rotating refresh tokens; snowflake ids; text given back NFC with & < > escaped and links
wrapped in t.co; 280 weighted characters; the same text twice from one account within a
day answers 403 duplicate content; every answer carries ``x-rate-limit-*`` headers.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import html
import itertools
import json
import re
import secrets
import time
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from tests.support.api_double import ApiDouble, Fault, Reply, Request

SPEC_SERVER = "https://api.x.com"
TWITTER_EPOCH_MS = 1288834974657
DUPLICATE = "You are not allowed to create a Tweet with duplicate content."
RECORDED_USERS = {  # as the cassettes name them
    "tweepydev": ("1072250532645998596", "TweepyDev", "Tweepy Testing"),
    "twitter": ("783214", "Twitter", "Twitter"),
}
NOT_IN_SPEC = ("/2/oauth2/token", "/i/oauth2/authorize")
REPLAY_PARAMS = {"since_id", "pagination_token", "start_time", "until_id"}
_URL = re.compile(r"https?://\S+", re.IGNORECASE)


@dataclass
class User:
    id: str
    username: str
    name: str
    follows: set[str] = field(default_factory=set)


@dataclass
class Tweet:
    id: str
    author_id: str
    text: str
    created_ms: int
    reply_to: str = ""


class XDouble(ApiDouble):
    name = "x"

    def __init__(self, spec: Path | None = None, cassettes: Path | None = None) -> None:
        super().__init__()
        self.violations: list[str] = []
        self._openapi = _load_openapi(spec) if spec else None
        self._recorded = _load_cassettes(cassettes) if cassettes else {}
        self._sequence = itertools.count(1)
        self.route("GET", r"/2/users/me", self._me)
        self.route("POST", r"/2/tweets", self._create)
        self.route("DELETE", r"/2/tweets/(\d+)", self._delete)
        self.route("GET", r"/2/users/(\d+)/tweets", self._own)
        self.route("GET", r"/2/users/(\d+)/timelines/reverse_chronological", self._home)
        self.route("GET", r"/2/users/(\d+)/mentions", self._mentions)
        self.route("POST", r"/2/oauth2/token", self._token)
        self.route("GET", r"/i/oauth2/authorize", self._authorize)
        self._seed()

    # -- state --------------------------------------------------------------------------

    def _seed(self) -> None:
        self.users: dict[str, User] = {}
        self.tweets: list[Tweet] = []
        self.tokens: dict[str, tuple[str, float]] = {}  # access token → (user id, expiry)
        self.refresh_tokens: dict[str, tuple[str, str]] = {}  # → (user id, client id)
        self.codes: dict[str, dict[str, str]] = {}
        for index, login in enumerate(("alice", "bob", "carol"), start=1):
            self._add_user(login, str(1000 + index), login, login.capitalize())
        for login, (user_id, username, name) in RECORDED_USERS.items():
            self._add_user(login, user_id, username, name)
        self.users["1001"].follows.add("1002")  # alice follows bob

    def _add_user(self, login: str, user_id: str, username: str, name: str) -> None:
        self.users[user_id] = User(user_id, username, name)
        self.tokens[self.token(login)] = (user_id, float("inf"))

    def reset(self) -> None:
        with self.lock:
            super().reset()
            self.violations.clear()
            self._seed()

    @staticmethod
    def token(login: str) -> str:
        return f"{login}-x-token"

    def user(self, login: str) -> User:
        user_id, _ = self.tokens[self.token(login)]
        return self.users[user_id]

    def post_as(self, login: str, words: str, reply_to: str = "", ago: float = 0.0) -> str:
        """A post by ``login`` (``ago`` seconds in the past); its id."""
        with self.lock:
            return self._new_tweet(self.user(login).id, words, reply_to, ago).id

    def _new_tweet(self, author_id: str, words: str, reply_to: str, ago: float = 0.0) -> Tweet:
        created = int((time.time() - ago) * 1000)
        snowflake = ((created - TWITTER_EPOCH_MS) << 22) | (next(self._sequence) & 0x3FFFFF)
        tweet = Tweet(str(snowflake), author_id, unicodedata.normalize("NFC", words), created)
        tweet.reply_to = reply_to
        self.tweets.append(tweet)
        return tweet

    def posts_of(self, login: str) -> list[Tweet]:
        with self.lock:
            user_id = self.user(login).id
            return [t for t in self.tweets if t.author_id == user_id]

    def count_posts(self, account: str) -> int:
        return len(self.posts_of(account))

    def expire_tokens(self, login: str) -> None:
        """Every access token of ``login`` expires now (refresh tokens stay valid)."""
        with self.lock:
            user_id = self.user(login).id
            for token, (owner, _) in list(self.tokens.items()):
                if owner == user_id:
                    self.tokens[token] = (owner, 0.0)

    def grant(self, authorize_url: str, login: str) -> str:
        """The browser step: ``login`` approves; the address X redirects the browser to."""
        query = urlsplit(authorize_url).query
        answer = httpx.get(f"{self.url}/i/oauth2/authorize?{query}", headers={"X-User": login})
        return answer.headers["location"]

    # -- answering ------------------------------------------------------------------------

    def _caller(self, request: Request) -> User | Reply:
        token = request.bearer()
        owner = self.tokens.get(token)
        if owner is None or owner[1] <= time.time():
            return _problem(401, "Unauthorized", "Unauthorized")
        return self.users[owner[0]]

    def _me(self, request: Request) -> Reply:
        with self.lock:
            me = self._caller(request)
            if isinstance(me, Reply):
                return me
            replayed = self._replay(request, me)
            if replayed:
                return replayed
            data = {"id": me.id, "name": me.name, "username": me.username}
        return self._ok({"data": data})

    def _create(self, request: Request) -> Reply:
        with self.lock:
            me = self._caller(request)
            if isinstance(me, Reply):
                return me
            body = request.json()
            words = body.get("text") if isinstance(body, dict) else None
            if not isinstance(words, str) or not words.strip():
                return _invalid("The `text` field is required and must not be empty.")
            if _weighted(words) > 280:
                return _invalid("Text too long: it is over 280 weighted characters.")
            reply_to = ((body.get("reply") or {}).get("in_reply_to_tweet_id")) or ""
            if reply_to and not any(t.id == reply_to for t in self.tweets):
                return _invalid("The post you are replying to does not exist or is hidden.")
            normal = unicodedata.normalize("NFC", words)
            day_ago = (time.time() - 24 * 3600) * 1000
            if any(
                t.author_id == me.id and t.text == normal and t.created_ms > day_ago
                for t in self.tweets
            ):
                return _problem(403, "Forbidden", DUPLICATE)
            tweet = self._new_tweet(me.id, words, reply_to)
            data = {"id": tweet.id, "text": _shown(tweet.text)}
        reply = self._ok({"data": data}, status=201)
        reply.headers["location"] = f"{SPEC_SERVER}/2/tweets/{tweet.id}"
        return reply

    def _delete(self, request: Request, tweet_id: str) -> Reply:
        with self.lock:
            me = self._caller(request)
            if isinstance(me, Reply):
                return me
            mine = [t for t in self.tweets if t.id == tweet_id and t.author_id == me.id]
            if not mine:
                return _problem(
                    404,
                    "Not Found Error",
                    f"Could not find post with id: [{tweet_id}].",
                    kind="https://api.x.com/2/problems/resource-not-found",
                    extra={
                        "parameter": "id",
                        "value": tweet_id,
                        "resource_type": "tweet",
                        "resource_id": tweet_id,
                    },
                )
            self.tweets.remove(mine[0])
        return self._ok({"data": {"deleted": True}})

    def _listing(self, request: Request, user_id: str, chosen: Any) -> Reply:
        with self.lock:
            me = self._caller(request)
            if isinstance(me, Reply):
                return me
            if user_id != me.id:
                return _problem(403, "Forbidden", "You can only read your own timelines.")
            replayed = self._replay(request, me)
            if replayed:
                return replayed
            posts = sorted((t for t in self.tweets if chosen(t, me)), key=lambda t: -int(t.id))
            return self._ok(self._page(request, posts))

    def _own(self, request: Request, user_id: str) -> Reply:
        return self._listing(request, user_id, lambda t, me: t.author_id == me.id)

    def _home(self, request: Request, user_id: str) -> Reply:
        return self._listing(
            request, user_id, lambda t, me: t.author_id == me.id or t.author_id in me.follows
        )

    def _mentions(self, request: Request, user_id: str) -> Reply:
        def mentioned(t: Tweet, me: User) -> bool:
            return re.search(rf"@{re.escape(me.username)}\b", t.text, re.I) is not None

        return self._listing(request, user_id, mentioned)

    def _page(self, request: Request, posts: list[Tweet]) -> dict[str, Any]:
        query = request.query
        if "since_id" in query:
            posts = [t for t in posts if int(t.id) > int(query["since_id"])]
        if "start_time" in query:
            start = _parse_iso(query["start_time"])
            posts = [t for t in posts if t.created_ms >= start * 1000]
        offset = int(query.get("pagination_token", "0") or 0)
        size = int(query.get("max_results", "10"))
        page, rest = posts[offset : offset + size], posts[offset + size :]
        fields = set(query.get("tweet.fields", "").split(","))
        data = [self._tweet_json(t, fields) for t in page]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta["newest_id"], meta["oldest_id"] = page[0].id, page[-1].id
        if rest:
            meta["next_token"] = str(offset + size)
        body: dict[str, Any] = {"meta": meta}
        if data:
            body["data"] = data
        if "author_id" in query.get("expansions", "") and page:
            authors = {t.author_id for t in page}
            body["includes"] = {
                "users": [
                    {"id": u.id, "name": u.name, "username": u.username}
                    for u in self.users.values()
                    if u.id in authors
                ]
            }
        return body

    def _tweet_json(self, tweet: Tweet, fields: set[str]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": tweet.id,
            "text": _shown(tweet.text),
            "edit_history_tweet_ids": [tweet.id],
        }
        if "created_at" in fields:
            out["created_at"] = _iso_ms(tweet.created_ms)
        if "author_id" in fields:
            out["author_id"] = tweet.author_id
        if "referenced_tweets" in fields and tweet.reply_to:
            out["referenced_tweets"] = [{"type": "replied_to", "id": tweet.reply_to}]
        return out

    # -- OAuth 2.0 with PKCE ----------------------------------------------------------------

    def _authorize(self, request: Request) -> Reply:
        query = request.query
        login = request.headers.get("x-user", "")
        with self.lock:
            if self.token(login) not in self.tokens:
                return Reply(400, b"unknown user", content_type="text/plain")
            code = secrets.token_urlsafe(16)
            self.codes[code] = {**query, "user_id": self.user(login).id}
        redirect = f"{query['redirect_uri']}?{urlencode({'state': query['state'], 'code': code})}"
        return Reply(302, b"", headers={"Location": redirect}, content_type="text/html")

    def _token(self, request: Request) -> Reply:
        form = request.form()
        with self.lock:
            if form.get("grant_type") == "authorization_code":
                grant = self.codes.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                if (
                    grant is None
                    or grant.get("client_id") != form.get("client_id")
                    or grant.get("redirect_uri") != form.get("redirect_uri")
                    or grant.get("code_challenge_method") != "S256"
                    or challenge.rstrip(b"=").decode() != grant.get("code_challenge")
                ):
                    return _oauth_error("Value passed for the authorization code was invalid.")
                return self._issue(grant["user_id"], grant["client_id"], grant.get("scope", ""))
            if form.get("grant_type") == "refresh_token":
                held = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
                if held is None or held[1] != form.get("client_id"):
                    return _oauth_error("Value passed for the token was invalid.")
                return self._issue(held[0], held[1], "tweet.read tweet.write users.read")
        return _oauth_error("Missing required parameter [grant_type].")

    def _issue(self, user_id: str, client_id: str, scope: str) -> Reply:
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        self.tokens[access] = (user_id, time.time() + 7200)
        self.refresh_tokens[refresh] = (user_id, client_id)
        body = {
            "token_type": "bearer",
            "expires_in": 7200,
            "access_token": access,
            "scope": scope,
            "refresh_token": refresh,
        }
        return Reply(200, body)

    # -- faults, replay, validation -------------------------------------------------------

    def fault_reply(self, fault: Fault, request: Request) -> Reply:
        if fault.kind == "ratelimit":
            reply = _problem(429, "Too Many Requests", "Too Many Requests")
            reply.headers.update(_rate_headers(remaining=0, reset=int(time.time()) + fault.wait))
            return reply
        if fault.kind == "expired":
            return _problem(401, "Unauthorized", "Unauthorized")
        if fault.kind == "duplicate":
            return _problem(403, "Forbidden", DUPLICATE)
        return _problem(fault.status, "Service Unavailable", "Service Unavailable")

    def _replay(self, request: Request, me: User) -> Reply | None:
        if REPLAY_PARAMS & set(request.query):
            return None
        recorded = self._recorded.get((request.method, request.path))
        if recorded is None or (request.path == "/2/users/me" and me.id != recorded[2]):
            return None
        status, body, headers = recorded[0], recorded[1], recorded[3]
        return Reply(status, body, headers=dict(headers))

    def _ok(self, body: dict[str, Any], status: int = 200) -> Reply:
        return Reply(status, body, headers=_rate_headers())

    def check(self, request: Request, reply: Reply) -> None:
        if self._openapi is None or request.path in NOT_IN_SPEC:
            return
        from openapi_core.testing import MockRequest, MockResponse

        mock_request = MockRequest(
            SPEC_SERVER,
            request.method.lower(),
            request.path,
            args=request.query,
            headers=request.headers,
            data=request.body or None,
            content_type=request.headers.get("content-type", "application/json").split(";")[0],
        )
        body = reply.encoded()  # the request was validated on arrival (``answer``)
        content_type = reply.content_type.split(";")[0]
        if content_type == "application/problem+json" and _about_blank(body):
            if not _rfc7807(body, reply.status):
                self.violations.append(f"{request.method} {request.path}: bad problem {body!r}")
            return
        mock_response = MockResponse(
            body, status_code=reply.status, content_type=content_type, headers=reply.headers
        )
        self._validate(
            "answer",
            lambda: self._openapi.validate_response(mock_request, mock_response),
            request,
        )

    def _validate(self, what: str, validate: Any, request: Request) -> None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "Unsupported scheme type" for OAuth 1.0a
                validate()
        except Exception as error:
            self.violations.append(f"{what} {request.method} {request.path}: {error}"[:600])

    def answer(self, request: Request) -> tuple[Reply | None, float]:
        """Invalid requests to spec'd endpoints are refused as X refuses them."""
        if self._openapi is not None and request.path not in NOT_IN_SPEC:
            before = len(self.violations)
            self._check_request_only(request)
            if len(self.violations) > before:
                with self.lock:
                    self.seen.append(request)
                return _invalid("The request does not match the API's specification."), 0.0
        return super().answer(request)

    def _check_request_only(self, request: Request) -> None:
        from openapi_core.testing import MockRequest

        mock_request = MockRequest(
            SPEC_SERVER,
            request.method.lower(),
            request.path,
            args=request.query,
            headers=request.headers,
            data=request.body or None,
            content_type=request.headers.get("content-type", "application/json").split(";")[0],
        )
        self._validate("request", lambda: self._openapi.validate_request(mock_request), request)


# -- helpers ----------------------------------------------------------------------------------


def _load_openapi(path: Path) -> Any:
    from openapi_core import Config, OpenAPI

    spec = json.loads(path.read_text())
    # The spec itself fails the spec validator (a duplicate enum value); its schemas are fine.
    config = Config(
        spec_validator_cls=None,
        extra_media_type_deserializers={"application/problem+json": json.loads},
    )
    return OpenAPI.from_dict(spec, config=config)


def _load_cassettes(folder: Path) -> dict[tuple[str, str], tuple[int, bytes, str, dict]]:
    """(method, path) → (status, decoded body, the recording user's id, rate headers)."""
    import yaml

    found: dict[tuple[str, str], tuple[int, bytes, str, dict]] = {}
    me = RECORDED_USERS["tweepydev"][0]
    for file in sorted(folder.glob("*.yaml")):
        for exchange in yaml.safe_load(file.read_text())["interactions"]:
            request, response = exchange["request"], exchange["response"]
            parts = urlsplit(request["uri"])
            if parts.query and not set(parse_qs(parts.query)) <= {"max_results"}:
                continue
            body = response["body"]["string"]
            body = body if isinstance(body, bytes) else body.encode()
            if body.startswith(b"\x1f\x8b"):
                body = gzip.decompress(body)
            headers = {
                k: v[0] for k, v in response["headers"].items() if k.startswith("x-rate-limit")
            }
            key = (request["method"], parts.path)
            found.setdefault(key, (response["status"]["code"], body, me, headers))
    return found


def _problem(
    status: int, title: str, detail: str, kind: str = "about:blank", extra: dict | None = None
) -> Reply:
    body = {"title": title, "detail": detail, "type": kind, "status": status, **(extra or {})}
    return Reply(status, body, headers=_rate_headers(), content_type="application/problem+json")


def _invalid(detail: str) -> Reply:
    return _problem(
        400,
        "Invalid Request",
        detail,
        kind="https://api.x.com/2/problems/invalid-request",
    )


def _oauth_error(description: str) -> Reply:
    return Reply(400, {"error": "invalid_request", "error_description": description})


def _about_blank(body: bytes) -> bool:
    try:
        return json.loads(body).get("type") == "about:blank"
    except (ValueError, AttributeError):
        return False


def _rfc7807(body: bytes, status: int) -> bool:
    found = json.loads(body)
    return (
        isinstance(found.get("title"), str)
        and isinstance(found.get("detail"), str)
        and found.get("status") == status
    )


def _rate_headers(remaining: int = 99, reset: int | None = None) -> dict[str, str]:
    return {
        "x-rate-limit-limit": "100",
        "x-rate-limit-remaining": str(remaining),
        "x-rate-limit-reset": str(reset if reset is not None else int(time.time()) + 900),
    }


def _shown(words: str) -> str:
    """Text as X gives it back: & < > escaped, every link wrapped in t.co."""
    wrapped = _URL.sub(
        lambda m: "https://t.co/" + hashlib.sha1(m[0].encode()).hexdigest()[:10], words
    )
    return html.escape(wrapped, quote=False)


def _weighted(words: str) -> int:
    from twitter_text import parse_tweet

    return int(parse_tweet(words).weightedLength)


def _iso_ms(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + f".{ms % 1000:03d}Z"


def _parse_iso(value: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
