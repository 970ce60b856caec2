"""X (formerly Twitter) through API v2 over httpx, with OAuth 2.0 user-context tokens.

**Account.** ``server`` is the API's base URL (``https://api.x.com``; anything else for a
proxy or a test double); ``handle`` is ``@username``; ``session`` is JSON holding the OAuth
tokens (access token, refresh token, expiry, client id) and the user's id, as
``exchange_code`` makes it; ``secret`` holds an access token given by hand instead (no
refresh possible then) and is otherwise empty. An access token lasts two hours: when the
stored one has expired, or the API refuses it, the refresh token (``offline.access``)
gets a new pair once, and the new session comes back in ``Published.session``,
``FetchResult.session`` or ``Verified.session`` for the caller to store. X rotates refresh
tokens: the old one is dead once used, so the returned session must be stored.

**Publishing exactly once.** X takes no idempotency key. ``prepare`` records the first
attempt's time (``attempted_at``). ``find_published`` reads the account's own posts since a
little before that time (``GET /2/users/{id}/tweets?start_time=…``, one request) and
returns the oldest whose text matches the post's, compared as X gives text back (HTML
entities decoded, NFC, every link as one token since X wraps links in t.co, whitespace
folded). The sync engine calls it after an unknown outcome before sending again. X refuses
a second post with the same text with 403 "duplicate content" without naming the first:
``publish`` then runs the same look-up and returns the post found, or raises ``Rejected``
when the duplicate is an older post of the user's own (not this attempt's).

**Reading.** The home timeline (``/timelines/reverse_chronological``) and mentions, each
from its own ``since_id`` (the cursor is ``home:ID mentions:ID``), newest page only on a
first read, back to the cursor (bounded) later. A reply goes to ``details["reply_to"]``.

**Length.** 280 weighted characters as twitter-text v3 counts them, by the
``twitter-text-parser`` package (~0.4 s to import, so imported on first count).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from personae.networks.base import (
    Capabilities,
    FetchResult,
    Network,
    Post,
    Published,
    Source,
    Verified,
)
from personae.networks.errors import (
    AuthFailed,
    NetworkError,
    RateLimited,
    Rejected,
    ServerTrouble,
)
from personae.networks.webapi import (
    Answer,
    Limits,
    WebApi,
    attempt_time,
    base_url,
    comparable,
    host_of,
    ident,
    iso_time,
    items,
    obj,
    parse_time,
    retry_after_from_rate_headers,
    say,
    text,
)
from personae.store import NewItem
from personae.store.text import one_line

API = "https://api.x.com"
AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
DEFAULT_REDIRECT = "http://127.0.0.1/personae"  # nothing listens: the user copies the URL
SCOPES = ("tweet.read", "tweet.write", "users.read", "offline.access")
WEIGHTED = "weighted characters"
RELOGIN = "re-authorise: personae account login"
EXPIRY_MARGIN = 60.0  # refresh this many seconds before the stored expiry
FIRST_PAGE, PAGE, MAX_PAGES = 20, 100, 5
FIND_PAGE = 100  # own posts read by find_published (X allows 5–100)
TWEET_FIELDS = "created_at,author_id,referenced_tweets"
TWITTER_EPOCH_MS = 1288834974657  # snowflake ids count milliseconds from here
_DUPLICATE = "duplicate content"


@dataclass(frozen=True)
class XSession:
    """What ``Account.session`` holds for X, as JSON."""

    access_token: str = field(default="", repr=False)
    refresh_token: str = field(default="", repr=False)
    expires_at: float = 0.0  # epoch seconds; 0 when unknown
    client_id: str = ""
    client_secret: str = field(default="", repr=False)  # only for confidential clients
    user_id: str = ""
    username: str = ""

    def to_json(self) -> str:
        values = {k: v for k, v in self.__dict__.items() if v}
        return json.dumps(values, sort_keys=True)

    @classmethod
    def from_json(cls, stored: str) -> XSession:
        """The stored session; an empty or unreadable one is an empty session."""
        try:
            data = json.loads(stored) if stored else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        expires = data.get("expires_at")
        return cls(
            access_token=text(data, "access_token"),
            refresh_token=text(data, "refresh_token"),
            expires_at=float(expires) if isinstance(expires, int | float) else 0.0,
            client_id=text(data, "client_id"),
            client_secret=text(data, "client_secret"),
            user_id=text(data, "user_id"),
            username=text(data, "username"),
        )

    def expired(self, now: float) -> bool:
        return bool(self.expires_at) and now >= self.expires_at - EXPIRY_MARGIN


class XNetwork(Network):
    name = "x"
    title = "X"
    capabilities = Capabilities(
        max_length=280,
        length_unit=WEIGHTED,
        secret_label="access token (or use --oauth)",
        default_server=API,
    )

    def __init__(self, limits: Limits | None = None, first_page: int = FIRST_PAGE) -> None:
        self.api = WebApi("X", limits)
        self.first_page = first_page

    # -- the interface ---------------------------------------------------------------------

    def verify(self, source: Source) -> Verified:
        call = _Call(self.api, source)
        me = call.me()
        return Verified(
            handle=f"@{call.session.username}",
            session=call.session.to_json(),
            display_name=one_line(text(me, "name"), 80),
        )

    def prepare(self, text: str, idem_key: str) -> dict[str, Any]:
        return {"attempted_at": time.time()}

    def publish(self, source: Source, post: Post) -> Published:
        call = _Call(self.api, source)
        body: dict[str, Any] = {"text": post.text}
        reply_to = post.details.get("reply_to")
        if isinstance(reply_to, str) and reply_to:
            body["reply"] = {"in_reply_to_tweet_id": reply_to}
        try:
            answer = call.send("POST", "/2/tweets", "publishing", json_body=body)
        except DuplicateContent:
            found = self._find(call, post)
            if found is None:
                raise Rejected(
                    "X refused the post as a duplicate of an earlier post of yours; "
                    "not published again"
                ) from None
            return found
        post_id = ident(obj(answer.require_json(call.where), "data"), "id")
        if not post_id.isdigit():
            raise ServerTrouble(f"{call.where}: the answer to the post names no post")
        return Published(post_id, call.link(post_id), session=call.changed_session())

    def find_published(self, source: Source, post: Post) -> Published | None:
        return self._find(_Call(self.api, source), post)

    def _find(self, call: _Call, post: Post) -> Published | None:
        user_id = call.user_id()
        since = max(attempt_time(post.details), 1288834975.0)  # X: on or after 2010-11-06
        params = {
            "start_time": iso_time(since),
            "max_results": str(FIND_PAGE),
            "tweet.fields": "created_at",
        }
        answer = call.send("GET", f"/2/users/{user_id}/tweets", "looking for the post", params)
        wanted = comparable(post.text)
        found = [
            t["id"]
            for t in items(answer.require_json(call.where), "data")
            if isinstance(t.get("id"), str) and comparable(text(t, "text")) == wanted
        ]
        if not found:
            return None
        oldest = min(found, key=_id_order)
        return Published(oldest, call.link(oldest), session=call.changed_session())

    def delete(self, source: Source, remote_id: str) -> None:
        """Delete a post; one that is already gone counts as deleted."""
        if not remote_id.isdigit():
            raise Rejected(f"not an X post id: {one_line(remote_id, 40)!r}")
        _Call(self.api, source).send("DELETE", f"/2/tweets/{remote_id}", "deleting", gone_ok=True)

    def fetch(self, source: Source) -> FetchResult:
        call = _Call(self.api, source)
        user_id = call.user_id()
        since = parse_cursor(source.cursor)
        found: dict[str, NewItem] = {}
        newest: dict[str, str] = {}
        for kind, path in (  # mentions first: a mention also in home keeps its title
            ("mentions", f"/2/users/{user_id}/mentions"),
            ("home", f"/2/users/{user_id}/timelines/reverse_chronological"),
        ):
            posts, users, top = self._read(call, path, since.get(kind, ""))
            for post in posts:
                item = post_item(post, users, mention=kind == "mentions")
                if item is not None:
                    found.setdefault(item.remote_id, item)
            if top:
                newest[kind] = top
        cursor = format_cursor({**since, **newest})
        result = FetchResult(cursor=cursor, session=call.changed_session())
        result.items = sorted(found.values(), key=lambda i: _id_order(i.remote_id), reverse=True)
        return result

    def _read(
        self, call: _Call, path: str, since_id: str
    ) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]], str]:
        """Posts newer than ``since_id`` (newest first), their authors by id, the newest id."""
        params = {
            "max_results": str(PAGE if since_id else self.first_page),
            "tweet.fields": TWEET_FIELDS,
            "expansions": "author_id",
            "user.fields": "username,name",
        }
        if since_id:
            params["since_id"] = since_id
        posts: list[dict[str, Any]] = []
        users: dict[str, dict[str, Any]] = {}
        for _ in range(MAX_PAGES if since_id else 1):
            page = call.send("GET", path, "reading the timeline", params).require_json(call.where)
            posts += items(page, "data")
            users.update({text(u, "id"): u for u in items(obj(page, "includes"), "users")})
            token = text(obj(page, "meta"), "next_token")
            if not token:
                break
            params = {**params, "pagination_token": token}
        ids = [t["id"] for t in posts if isinstance(t.get("id"), str) and t["id"].isdigit()]
        top = max([*ids, since_id] if since_id else ids, key=_id_order) if ids else ""
        return posts, users, top

    def length(self, text: str) -> int:
        """Weighted length as twitter-text v3 counts it (NFC; links 23; CJK and emoji 2)."""
        return int(_parse_tweet()(text).weightedLength)

    def close(self) -> None:
        self.api.close()


# -- one account's requests ---------------------------------------------------------------


class DuplicateContent(Rejected):
    """X's 403 "duplicate content": the same text was posted recently (which post, X
    does not say). ``publish`` turns it into the post found, or a plain refusal."""


class _Call:
    """Requests as one account, refreshing its tokens when they have expired or are
    refused (once), remembering whether the session changed."""

    def __init__(self, api: WebApi, source: Source) -> None:
        self.api = api
        self.base = base_url(source.url, API, "X")
        self.where = f"X ({host_of(self.base)})"
        self.source = source
        self.session = XSession.from_json(source.session)
        if not self.session.username and source.handle:
            self.session = replace(self.session, username=source.handle.lstrip("@"))
        self._stored = self.session
        self._refreshed = False

    def token(self) -> str:
        token = self.session.access_token or self.source.secret
        if not token:
            raise AuthFailed(f"{self.where}: no access token stored; {RELOGIN}")
        return token

    def send(
        self,
        method: str,
        path: str,
        doing: str,
        params: Mapping[str, str] | None = None,
        *,
        json_body: Any = None,
        gone_ok: bool = False,
    ) -> Answer:
        if self.session.expired(time.time()) and self.session.refresh_token:
            self._refresh()
        answer = self._send(method, path, doing, params, json_body)
        if answer.status == 401 and self.session.refresh_token and not self._refreshed:
            self._refresh()  # a 401 created nothing: sending again is safe
            answer = self._send(method, path, doing, params, json_body)
        if answer.ok or (gone_ok and answer.status == 404):
            return answer
        raise refusal(answer, self.where, doing, self.token(), self.session.refresh_token)

    def _send(
        self,
        method: str,
        path: str,
        doing: str,
        params: Mapping[str, str] | None,
        json_body: Any,
    ) -> Answer:
        headers = {"Authorization": f"Bearer {self.token()}"}
        return self.api.send(
            method,
            self.base + path,
            doing=doing,
            headers=headers,
            params=params,
            json_body=json_body,
        )

    def _refresh(self) -> None:
        self.session = refresh_session(self.api, self.base, self.session)
        self._refreshed = True

    def me(self) -> dict[str, Any]:
        answer = self.send("GET", "/2/users/me", "logging in")
        me = obj(answer.require_json(self.where), "data")
        user_id, username = text(me, "id"), text(me, "username")
        if not (user_id.isdigit() and username):
            raise ServerTrouble(f"{self.where}: the account answer names no user")
        self.session = replace(self.session, user_id=user_id, username=username)
        return me

    def user_id(self) -> str:
        if not self.session.user_id:
            self.me()
        return self.session.user_id

    def link(self, post_id: str) -> str:
        return f"https://x.com/{self.session.username or 'i'}/status/{post_id}"

    def changed_session(self) -> str:
        """The session to store when it changed (a refresh, a learnt user id), else ""."""
        return self.session.to_json() if self.session != self._stored else ""


# -- errors -------------------------------------------------------------------------------


def refusal(answer: Answer, where: str, doing: str, *secrets: str) -> NetworkError:
    """An HTTP error status as a decision: fix credentials, wait, retry, or give up."""
    status = answer.status
    said = say(problem_text(answer.data), *secrets)
    detail = f": {said}" if said else ""
    if status == 401:
        return AuthFailed(f"{where} refused the access token (401{detail}); {RELOGIN}")
    if status == 403 and _DUPLICATE in said.lower():
        return DuplicateContent(f"{where} refused {doing} as a duplicate (403{detail})")
    if status == 403 and _about_credentials(answer.data):
        return AuthFailed(f"{where} does not let this app do that (403{detail}); {RELOGIN}")
    if status == 429:
        wait = retry_after_from_rate_headers(answer.headers)
        hint = f"; try again in {wait:.0f} s" if wait is not None else ""
        return RateLimited(f"{where} is rate-limiting {doing}{hint}", retry_after=wait)
    if status >= 500 or status == 408:
        return ServerTrouble(f"{where} had trouble {doing} ({status}{detail})")
    if not said and answer.data is None and answer.body.strip():
        return Rejected(f"{where} answered {status} with a malformed body while {doing}")
    return Rejected(f"{where} refused {doing} ({status}{detail})")


def problem_text(data: Any) -> str:
    """The words of an X error body: problem+json's detail/title, v1.1-style
    ``errors[].message``, or OAuth's ``error_description``/``error``."""
    for key in ("detail", "error_description", "title", "error"):
        if text(data, key):
            return text(data, key)
    messages = [text(e, "message") or text(e, "detail") for e in items(data, "errors")]
    return "; ".join(m for m in messages if m)


def _about_credentials(data: Any) -> bool:
    """A 403 that says the app or token lacks a permission, not that the post is bad."""
    reason = (text(data, "reason") + " " + text(data, "type")).lower()
    words = problem_text(data).lower()
    return "client-not-enrolled" in reason or "oauth" in words or "permission" in words


# -- reading --------------------------------------------------------------------------------


def post_item(
    post: dict[str, Any], users: Mapping[str, dict[str, Any]], mention: bool
) -> NewItem | None:
    """One X post as a timeline item; None for what has no usable id."""
    post_id = text(post, "id")
    if not post_id.isdigit():
        return None
    author = users.get(text(post, "author_id"), {})
    username, name = one_line(text(author, "username"), 60), one_line(text(author, "name"), 80)
    who = f"{name} (@{username})" if name and username else (f"@{username}" if username else "")
    created = parse_time(post.get("created_at")) or snowflake_time(post_id)
    return NewItem(
        remote_id=post_id,
        created=created,
        author=who,
        title="mentions you" if mention else "",
        text=html.unescape(text(post, "text")),  # X escapes & < > in v2 text
        url=f"https://x.com/{username or 'i'}/status/{post_id}",
    )


def snowflake_time(post_id: str) -> float:
    """When a post was made, from its id (X's ids embed milliseconds since 2010-11-04)."""
    return ((int(post_id) >> 22) + TWITTER_EPOCH_MS) / 1000


def parse_cursor(cursor: str) -> dict[str, str]:
    """``home:ID mentions:ID`` → {"home": ID, "mentions": ID}; unknown parts ignored."""
    found = {}
    for part in cursor.split():
        kind, _, since = part.partition(":")
        if kind in ("home", "mentions") and since.isdigit():
            found[kind] = since
    return found


def format_cursor(since: Mapping[str, str]) -> str:
    return " ".join(f"{kind}:{since[kind]}" for kind in ("home", "mentions") if since.get(kind))


def _id_order(post_id: str) -> tuple[int, str]:
    return (len(post_id), post_id)


@functools.cache
def _parse_tweet() -> Any:
    from twitter_text import parse_tweet  # type: ignore[import-untyped]

    return parse_tweet


# -- OAuth 2.0 with PKCE --------------------------------------------------------------------


@dataclass(frozen=True)
class Authorization:
    """A started authorization: send the user to ``url``, keep the rest for the exchange."""

    url: str
    state: str
    verifier: str = field(repr=False)
    client_id: str
    redirect_uri: str


def start_authorization(
    client_id: str,
    redirect_uri: str = DEFAULT_REDIRECT,
    *,
    scopes: tuple[str, ...] = SCOPES,
    authorize_url: str = AUTHORIZE_URL,
) -> Authorization:
    """The authorize URL with a fresh S256 code challenge and state (no request made)."""
    if not client_id.strip():
        raise Rejected("X needs the app's OAuth 2.0 client id (--client-id)")
    verifier = secrets.token_urlsafe(64)[:96]  # 43–128 characters of [A-Za-z0-9-._~]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    state = secrets.token_urlsafe(24)
    query = {
        "response_type": "code",
        "client_id": client_id.strip(),
        "redirect_uri": redirect_uri,
        "scope": " ".join(scopes),
        "state": state,
        "code_challenge": challenge.rstrip(b"=").decode(),
        "code_challenge_method": "S256",
    }
    url = f"{authorize_url}?{urlencode(query)}"
    return Authorization(url, state, verifier, client_id.strip(), redirect_uri)


def code_from_paste(pasted: str, state: str) -> str:
    """The authorization code in what the user pasted: the whole redirected URL (its
    state must match) or the bare code."""
    pasted = pasted.strip()
    if not pasted:
        raise Rejected("nothing pasted: paste the address the browser was sent to, or the code")
    if "?" not in pasted and "=" not in pasted and "/" not in pasted:
        return pasted
    query = parse_qs(urlsplit(pasted).query or pasted.lstrip("?"))
    if "error" in query:
        said = one_line(query.get("error_description", query["error"])[0], 120)
        raise AuthFailed(f"X did not grant access: {said}")
    if query.get("state", [""])[0] != state:
        raise Rejected("the pasted address is from another authorization (state differs)")
    code = query.get("code", [""])[0]
    if not code:
        raise Rejected("the pasted address holds no code")
    return code


def exchange_code(
    authorization: Authorization,
    pasted: str,
    *,
    server: str = API,
    client_secret: str = "",
    limits: Limits | None = None,
    now: float | None = None,
) -> str:
    """The session (JSON, for ``Account.session``) for the code the user pasted."""
    code = code_from_paste(pasted, authorization.state)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": authorization.redirect_uri,
        "code_verifier": authorization.verifier,
        "client_id": authorization.client_id,
    }
    empty = XSession(client_id=authorization.client_id, client_secret=client_secret)
    base = base_url(server, API, "X")
    return _token_request(WebApi("X", limits), base, form, empty, now).to_json()


def refresh_session(
    api: WebApi, base: str, session: XSession, now: float | None = None
) -> XSession:
    """A new access token (and refresh token: X rotates them) for ``session``."""
    if not session.refresh_token:
        raise AuthFailed(f"X ({host_of(base)}): the login has expired; {RELOGIN}")
    form = {
        "grant_type": "refresh_token",
        "refresh_token": session.refresh_token,
        "client_id": session.client_id,
    }
    return _token_request(api, base, form, session, now)


def session_expiry(session: str) -> float | None:
    """When the stored access token expires (epoch seconds), if known."""
    return XSession.from_json(session).expires_at or None


def _token_request(
    api: WebApi, base: str, form: dict[str, str], session: XSession, now: float | None
) -> XSession:
    where = f"X ({host_of(base)})"
    headers = {}
    if session.client_secret:  # a confidential client authenticates with HTTP Basic
        pair = f"{session.client_id}:{session.client_secret}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    answer = api.send(
        "POST", f"{base}/2/oauth2/token", doing="getting a token", headers=headers, form=form
    )
    secrets_ = (form.get("code", ""), form.get("refresh_token", ""), session.client_secret)
    if answer.status in (400, 401):
        said = say(problem_text(answer.data), *secrets_) or str(answer.status)
        raise AuthFailed(f"{where} refused the authorization ({said}); {RELOGIN}")
    if not answer.ok:
        raise refusal(answer, where, "getting a token", *secrets_)
    data = answer.require_json(where)
    access = text(data, "access_token")
    if not access:
        raise ServerTrouble(f"{where}: no access token in the answer")
    lifetime = data.get("expires_in") if isinstance(data, dict) else None
    moment = time.time() if now is None else now
    expires = moment + float(lifetime) if isinstance(lifetime, int | float) else 0.0
    return replace(
        session,
        access_token=access,
        refresh_token=text(data, "refresh_token") or session.refresh_token,
        expires_at=expires,
    )
