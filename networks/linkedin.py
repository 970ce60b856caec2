"""LinkedIn through the Posts API (``/rest/posts``) over httpx. Publish-only: LinkedIn
offers no API to read a member's home feed, so ``fetch`` returns no items and no error,
and ``capabilities.publish_only`` says so for the CLI, the header and the timeline view.

**Account.** ``server`` is the API's base URL (``https://api.linkedin.com``); ``secret`` is
the OAuth access token; ``handle`` is the author URN posts go out as: the member's
``urn:li:person:{sub}`` (``verify`` finds it at ``/v2/userinfo``) or an organization page,
``urn:li:organization:{id}``, chosen when the account is added (``--page URN``). ``session``
is JSON: the author URN, the member's name and the token's expiry (epoch seconds), which
``exchange_code`` records — tokens last 60 days and LinkedIn gives refresh tokens only to
approved partners, so ``expiry_warning`` tells callers a week ahead, and an expired or
revoked token raises ``AuthFailed("… re-authorise: personae account login")``.

**Publishing exactly once.** No idempotency key. ``prepare`` records the attempt's time.
LinkedIn refuses a post identical to a recent one with 422 ``DUPLICATE_POST`` and names
the existing post's URN in its message: ``publish`` returns that post instead of raising.
``find_published`` reads the author's recent posts (``GET /rest/posts?q=author``, one
request) and matches the commentary (little-text escapes removed, NFC, whitespace folded)
created since a little before the attempt. That finder needs ``r_member_social`` (granted to
partners) or, for a page, ``r_organization_social``: without it LinkedIn answers 403, the
look-up finds nothing, and the re-sent post is caught by ``DUPLICATE_POST`` instead.

**Text.** Commentary is LinkedIn's "little text": its reserved characters are escaped with a
backslash, so a post's ``#``, ``@`` or ``(`` appear as typed (hashtags and mentions then are
plain text, not links). 3,000 characters.
"""

from __future__ import annotations

import json
import re
import secrets
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

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
    host_of,
    items,
    obj,
    retry_after_from_rate_headers,
    say,
    text,
)
from personae.store.text import one_line

API = "https://api.linkedin.com"
AUTHORIZE_URL = "https://www.linkedin.com/oauth/v2/authorization"
TOKEN_URL = "https://www.linkedin.com/oauth/v2/accessToken"
SCOPES = ("openid", "profile", "w_member_social")
VERSION = "202506"  # LinkedIn-Version (YYYYMM); LinkedIn retires versions after a year
RESTLI = "2.0.0"
RELOGIN = "re-authorise: personae account login"
WARN_BEFORE = 7 * 24 * 3600.0  # say so a week before the token expires
FIND_COUNT = 20  # recent posts read by find_published
_RESERVED = re.compile(r"([\\|{}@\[\]()<>#*_~])")
_ESCAPED = re.compile(r"\\([\\|{}@\[\]()<>#*_~])")
_URN = re.compile(r"urn:li:(?:share|ugcPost|activity):\d{1,30}")
_AUTHOR = re.compile(r"urn:li:(?:person:[A-Za-z0-9_-]{1,100}|organization:\d{1,30})")


@dataclass(frozen=True)
class LinkedInSession:
    """What ``Account.session`` holds for LinkedIn, as JSON."""

    author: str = ""  # urn:li:person:… or urn:li:organization:…
    name: str = ""
    expires_at: float = 0.0  # epoch seconds; 0 when unknown (a token given by hand)

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in self.__dict__.items() if v}, sort_keys=True)

    @classmethod
    def from_json(cls, stored: str) -> LinkedInSession:
        try:
            data = json.loads(stored) if stored else {}
        except ValueError:
            data = {}
        expires = data.get("expires_at") if isinstance(data, dict) else None
        return cls(
            author=text(data, "author"),
            name=text(data, "name"),
            expires_at=float(expires) if isinstance(expires, int | float) else 0.0,
        )


class LinkedInNetwork(Network):
    name = "linkedin"
    title = "LinkedIn"
    capabilities = Capabilities(
        max_length=3000,
        secret_label="access token (or use --oauth)",
        default_server=API,
        publish_only=True,
    )

    def __init__(self, limits: Limits | None = None, version: str = VERSION) -> None:
        self.api = WebApi("LinkedIn", limits)
        self.version = version

    def verify(self, source: Source) -> Verified:
        """Check the token; the author is the page in ``handle`` or else the member."""
        call = _Call(self, source)
        me = call.send("GET", "/v2/userinfo", "logging in").require_json(call.where)
        sub, name = text(me, "sub"), one_line(text(me, "name"), 80)
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,100}", sub):
            raise ServerTrouble(f"{call.where}: the account answer names no member")
        page = source.handle.strip()
        if page and not page.startswith("urn:li:person:"):
            if not re.fullmatch(r"urn:li:organization:\d{1,30}", page):
                raise Rejected(f"not a LinkedIn page URN: {one_line(page, 60)!r}")
            author = page
        else:
            author = f"urn:li:person:{sub}"
        session = LinkedInSession(author, name, call.session.expires_at)
        return Verified(handle=author, session=session.to_json(), display_name=name)

    def prepare(self, text: str, idem_key: str) -> dict[str, Any]:
        return {"attempted_at": time.time()}

    def publish(self, source: Source, post: Post) -> Published:
        call = _Call(self, source)
        body = {
            "author": call.author(),
            "commentary": little_text(post.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        try:
            answer = call.send("POST", "/rest/posts", "publishing", json_body=body)
        except DuplicatePost as duplicate:
            if duplicate.urn:
                return Published(duplicate.urn, post_link(duplicate.urn))
            found = self.find_published(source, post)
            if found is None:
                raise
            return found
        urn = answer.headers.get("x-restli-id", "").strip()
        if not _URN.fullmatch(urn):
            raise ServerTrouble(f"{call.where}: the answer to the post names no post")
        return Published(urn, post_link(urn))

    def find_published(self, source: Source, post: Post) -> Published | None:
        call = _Call(self, source)
        params = {
            "q": "author",
            "author": call.author(),
            "count": str(FIND_COUNT),
            "sortBy": "CREATED",
        }
        try:
            answer = call.send("GET", "/rest/posts", "looking for the post", params)
        except _AuthRefused as refused:
            if refused.status == 403:  # no r_member_social: DUPLICATE_POST will catch it
                return None
            raise
        since_ms = attempt_time(post.details) * 1000
        wanted = comparable_commentary(post.text)
        for element in items(answer.require_json(call.where), "elements"):
            urn, created = text(element, "id"), element.get("createdAt")
            recent = isinstance(created, int | float) and created >= since_ms
            commentary = comparable_commentary(text(element, "commentary"), escaped=True)
            if _URN.fullmatch(urn) and recent and commentary == wanted:
                return Published(urn, post_link(urn))
        return None

    def fetch(self, source: Source) -> FetchResult:
        """LinkedIn has no feed API: nothing to read, and that is no error."""
        return FetchResult(cursor=source.cursor)

    def delete(self, source: Source, remote_id: str) -> None:
        if not _URN.fullmatch(remote_id):
            raise Rejected(f"not a LinkedIn post URN: {one_line(remote_id, 60)!r}")
        path = f"/rest/posts/{quote(remote_id, safe='')}"
        _Call(self, source).send("DELETE", path, "deleting", gone_ok=True)

    def close(self) -> None:
        self.api.close()


class DuplicatePost(Rejected):
    """LinkedIn's 422 DUPLICATE_POST; ``urn`` is the existing post its message names."""

    def __init__(self, message: str, urn: str) -> None:
        super().__init__(message)
        self.urn = urn


class _AuthRefused(AuthFailed):
    """AuthFailed that remembers its status (a 403 finder refusal is not fatal)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class _Call:
    def __init__(self, network: LinkedInNetwork, source: Source) -> None:
        self.api = network.api
        self.version = network.version
        self.base = base_url(source.url, API, "LinkedIn")
        self.where = f"LinkedIn ({host_of(self.base)})"
        self.source = source
        self.session = LinkedInSession.from_json(source.session)

    def author(self) -> str:
        author = self.session.author or self.source.handle.strip()
        if not _AUTHOR.fullmatch(author):
            raise Rejected(f"{self.where}: no author URN stored for this account; verify it")
        return author

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
        token = self.source.secret
        if not token:
            raise AuthFailed(f"{self.where}: no access token stored; {RELOGIN}")
        expires = self.session.expires_at
        if expires and time.time() >= expires:
            raise AuthFailed(f"{self.where}: the access token expired; {RELOGIN}")
        headers = {
            "Authorization": f"Bearer {token}",
            "LinkedIn-Version": self.version,
            "X-Restli-Protocol-Version": RESTLI,
        }
        answer = self.api.send(
            method,
            self.base + path,
            doing=doing,
            headers=headers,
            params=params,
            json_body=json_body,
        )
        if answer.ok or (gone_ok and answer.status == 404):
            return answer
        raise refusal(answer, self.where, doing, token, self.version)


def refusal(answer: Answer, where: str, doing: str, token: str, version: str) -> NetworkError:
    status = answer.status
    said = say(text(answer.data, "message") or text(answer.data, "error_description"), token)
    detail = f": {said}" if said else ""
    if status == 401:
        return _AuthRefused(
            f"{where}: the access token has expired or was revoked (401{detail}); {RELOGIN}",
            status,
        )
    if status == 403:
        return _AuthRefused(f"{where} does not allow {doing} (403{detail})", status)
    if status == 422 and _duplicate(answer.data):
        urn = _URN.search(said)
        return DuplicatePost(
            f"{where}: a duplicate of a recent post{detail}", urn[0] if urn else ""
        )
    if status == 426:
        return Rejected(f"{where} no longer serves API version {version}; update personae")
    if status == 429:
        wait = retry_after_from_rate_headers(answer.headers)
        return RateLimited(f"{where}: the daily limit for {doing} is reached", retry_after=wait)
    if status >= 500 or status == 408:
        return ServerTrouble(f"{where} had trouble {doing} ({status}{detail})")
    return Rejected(f"{where} refused {doing} ({status}{detail})")


def _duplicate(data: Any) -> bool:
    codes = [text(e, "code") for e in items(obj(data, "errorDetails"), "inputErrors")]
    return "DUPLICATE_POST" in codes or "duplicate" in text(data, "message").lower()


# -- little text ------------------------------------------------------------------------------


def little_text(words: str) -> str:
    """``words`` as LinkedIn commentary: reserved characters escaped, shown as typed."""
    return _RESERVED.sub(r"\\\1", words)


def comparable_commentary(words: str, escaped: bool = False) -> str:
    if escaped:
        words = _ESCAPED.sub(r"\1", words)
    return " ".join(unicodedata.normalize("NFC", words).split())


def post_link(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}/"


# -- OAuth 2.0 (authorization code) and token expiry -----------------------------------------


def authorize_url(
    client_id: str,
    redirect_uri: str,
    state: str = "",
    *,
    scopes: tuple[str, ...] = SCOPES,
    url: str = AUTHORIZE_URL,
) -> tuple[str, str]:
    """Where the user's browser goes to grant access, and the state to expect back."""
    state = state or secrets.token_urlsafe(24)
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "state": state,
        "scope": " ".join(scopes),
    }
    return f"{url}?{urlencode(query)}", state


def exchange_code(
    client_id: str,
    client_secret: str,
    pasted: str,
    *,
    redirect_uri: str,
    state: str,
    token_url: str = TOKEN_URL,
    limits: Limits | None = None,
) -> tuple[str, str]:
    """(access token for ``Account.secret``, session JSON with its expiry) for the code in
    what the user pasted (the redirected address, or the bare code)."""
    code = _code_from_paste(pasted, state)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": client_id,
        "client_secret": client_secret,
    }
    where = f"LinkedIn ({host_of(token_url)})"
    answer = WebApi("LinkedIn", limits).send("POST", token_url, doing="getting a token", form=form)
    if not answer.ok:
        said = say(
            text(answer.data, "error_description") or text(answer.data, "error"),
            code,
            client_secret,
        )
        raise AuthFailed(f"{where} refused the authorization ({said or answer.status})")
    data = answer.require_json(where)
    token, lifetime = text(data, "access_token"), data.get("expires_in")
    if not token:
        raise ServerTrouble(f"{where}: no access token in the answer")
    expires = time.time() + float(lifetime) if isinstance(lifetime, int | float) else 0.0
    return token, LinkedInSession(expires_at=expires).to_json()


def token_expiry(session: str) -> float | None:
    """When the stored access token expires (epoch seconds), if known."""
    return LinkedInSession.from_json(session).expires_at or None


def expiry_warning(session: str, now: float | None = None) -> str | None:
    """A line to show when the token expires within a week (or has), else None."""
    expires = token_expiry(session)
    if expires is None:
        return None
    left = expires - (time.time() if now is None else now)
    if left <= 0:
        return f"the LinkedIn access token has expired; {RELOGIN}"
    if left <= WARN_BEFORE:
        days = max(1, round(left / 86400))
        return f"the LinkedIn access token expires in {days} day(s); {RELOGIN}"
    return None


def _code_from_paste(pasted: str, state: str) -> str:
    pasted = pasted.strip()
    if "?" not in pasted and "=" not in pasted and "/" not in pasted and pasted:
        return pasted
    query = parse_qs(urlsplit(pasted).query)
    if "error" in query:
        said = one_line(query.get("error_description", query["error"])[0], 120)
        raise AuthFailed(f"LinkedIn did not grant access: {said}")
    if query.get("state", [""])[0] != state:
        raise Rejected("the pasted address is from another authorization (state differs)")
    code = query.get("code", [""])[0]
    if not code:
        raise Rejected("the pasted address holds no code")
    return code
