"""Bluesky through the AT Protocol, on bsky.social or any PDS.

``atproto`` costs ~0.6 s to import, so it is imported inside the methods that talk to a
server, never at module import. One logged-in client per (server, handle) is kept for the
life of the process and reused while the stored session is the one it holds; the SDK
refreshes tokens by itself, and a refused token is renewed (refresh, else a new login with
the app password) once before giving up with ``AuthFailed``.

Publishing is exactly-once: ``prepare`` chooses the record key (a TID) and ``createdAt``
before the first attempt, and ``publish`` sends ``com.atproto.repo.putRecord`` with
``swapRecord`` explicitly null, which creates the record only if that key is free. A retry
after a crash therefore either creates the post or finds the identical one; a different
record under the key is refused."""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from personae.networks.base import (
    GRAPHEMES,
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
    Unreachable,
)
from personae.networks.retry_after import retry_after
from personae.networks.timestamps import parse_iso
from personae.store import NewItem
from personae.store.text import one_line

if TYPE_CHECKING:
    from atproto import Client

T = TypeVar("T")

POST = "app.bsky.feed.post"
MAX_BYTES = 3000  # the lexicon's other limit on a post's text, beside 300 graphemes
TOKEN_ERRORS = {"ExpiredToken", "InvalidToken"}
FIRST_PAGE = 50  # items read when an account has no timeline position yet
PAGE, MAX_PAGES = 100, 5  # later: pages read back to the stored position, at most
TID_CHARS = "234567abcdefghijklmnopqrstuvwxyz"
MAX_MESSAGE = 160  # characters of a server's text kept in a message


class BlueskyNetwork(Network):
    name = "bluesky"
    title = "Bluesky"
    capabilities = Capabilities(
        max_length=300,
        length_unit=GRAPHEMES,
        secret_label="app password",
        default_server="https://bsky.social",
    )

    def __init__(self, timeout: tuple[float, float] = (10.0, 30.0)) -> None:
        self.timeout = timeout  # (connect, read) seconds
        self._clients: dict[tuple[str, str], Client] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()
        self._tids = TidClock()

    # -- the interface ---------------------------------------------------------------------

    def verify(self, source: Source) -> Verified:
        server = server_url(source.url)
        with self._errors(source, server, "logging in"), self._lock(server, source.handle):
            client = self._login(source, server)
            session = client.export_session_string()
            self._clients[(server, _key(source.handle))] = client
        return Verified(handle=_session(client).handle, session=session)

    def prepare(self, text: str, idem_key: str) -> dict[str, Any]:
        """The record key and creation time, fixed before the first attempt."""
        return {"rkey": self._tids.next(), "createdAt": iso_now()}

    def publish(self, source: Source, post: Post) -> Published:
        rkey, created = post.details.get("rkey"), post.details.get("createdAt")
        if not (isinstance(rkey, str) and isinstance(created, str)):
            raise Rejected("this post has no record key stored; queue it again")

        def put(client: Client) -> Published:
            session = _session(client)
            record = build_record(client, post.text, created)
            uri = put_once(client, session.did, rkey, record)
            return Published(remote_id=uri, url=post_link(session.handle, rkey))

        published, session = self._call(source, "publishing", put)
        if session:
            return Published(published.remote_id, published.url, session=session)
        return published

    def fetch(self, source: Source) -> FetchResult:
        host = _host(server_url(source.url))

        def read(client: Client) -> FetchResult:
            return read_timeline(client, source.cursor, host)

        result, session = self._call(source, "reading the timeline", read)
        result.session = session
        return result

    def delete(self, source: Source, remote_id: str) -> None:
        match = re.fullmatch(r"at://([^/]+)/([^/]+)/([^/]+)", remote_id)
        if not match:
            raise Rejected(f"not a Bluesky post: {remote_id[:80]!r}")
        repo, collection, rkey = match.groups()

        def remove(client: Client) -> None:
            from atproto_client.models.dot_dict import DotDict

            body = {"repo": repo, "collection": collection, "rkey": rkey}
            client.invoke_procedure(
                "com.atproto.repo.deleteRecord",
                data=DotDict(body),
                input_encoding="application/json",
                output_encoding="application/json",
            )

        self._call(source, "deleting a post", remove)

    def check_length(self, text: str) -> str | None:
        too_long = super().check_length(text)
        size = len(text.encode("utf-8"))
        if too_long is None and size > MAX_BYTES:
            return f"{size} bytes, {self.title} allows {MAX_BYTES}"
        return too_long

    # -- sessions --------------------------------------------------------------------------

    def _call(self, source: Source, doing: str, action: Callable[[Client], T]) -> tuple[T, str]:
        """``action`` with a logged-in client; also the session to store when it changed."""
        server = server_url(source.url)
        with self._errors(source, server, doing), self._lock(server, source.handle):
            client = self._client(source, server)
            try:
                result = action(client)
            except Exception as error:
                if not _token_refused(error):
                    raise
                self._renew(client, source, server)
                result = action(client)
            session = client.export_session_string()
        return result, (session if session != source.session else "")

    def _client(self, source: Source, server: str) -> Client:
        """The cached client when it holds the stored session; else the stored session
        imported (no request), or a new login when none is stored."""
        key = (server, _key(source.handle))
        client = self._clients.get(key)
        if client is not None and client.export_session_string() == source.session:
            return client
        if not source.session:
            client = self._login(source, server)
        else:
            from atproto_core.exceptions import AtProtocolError

            client = client or self._new_client(server)
            try:
                client.login(session_string=source.session, fetch_bsky_profile=False)
                _session(client).access_jwt_payload  # noqa: B018 (its tokens must decode)
            except (ValueError, AtProtocolError):  # an unusable stored session: log in afresh
                client = self._login(source, server)
        self._clients[key] = client
        return client

    def _new_client(self, server: str) -> Client:
        import httpx
        from atproto import Client
        from atproto_client.request import Request

        connect, read = self.timeout
        timeout = httpx.Timeout(read, connect=connect)
        return Client(base_url=server, request=Request(timeout=timeout))

    def _login(self, source: Source, server: str) -> Client:
        from atproto_client.exceptions import RequestErrorBase

        if not source.secret:
            raise AuthFailed(f"no app password stored for {source.handle} on {_host(server)}")
        client = self._new_client(server)
        try:
            client.login(_key(source.handle), source.secret, fetch_bsky_profile=False)
        except RequestErrorBase as error:
            if error.response is None or error.response.status_code not in (400, 401, 403):
                raise
            why = _redacted(_xrpc(error)[1], source.secret) or "refused"
            raise AuthFailed(
                f"{_host(server)} refused the login for {source.handle}: {why}"
            ) from None
        return client

    def _renew(self, client: Client, source: Source, server: str) -> None:
        """A refused access token: refresh the session, else log in again with the secret."""
        try:
            client._refresh_and_set_session()  # the SDK's own refresh, done now
        except Exception as error:
            if not _token_refused(error):
                raise
            fresh = self._login(source, server).export_session_string()
            client.login(session_string=fresh, fetch_bsky_profile=False)

    def _lock(self, server: str, handle: str) -> threading.Lock:
        """One account's requests in order: a session refresh must not race another."""
        with self._guard:
            return self._locks.setdefault((server, _key(handle)), threading.Lock())

    @contextmanager
    def _errors(self, source: Source, server: str, doing: str) -> Iterator[None]:
        """Whatever the SDK or HTTP raises becomes one of our errors, with one clear line."""
        try:
            yield
        except NetworkError:
            raise
        except Exception as error:
            translated = translate(error, server, doing, source.secret)
            if translated is None:
                raise
            raise translated from None


# -- publishing --------------------------------------------------------------------------


def build_record(client: Client, text: str, created: str) -> dict[str, Any]:
    """The post record, with facets for links, hashtags and mentions (resolved to DIDs;
    handles that do not resolve stay plain text). Offsets are UTF-8 byte offsets."""
    from atproto_client.utils import facet_detection

    facets = [_facet(f.index.byte_start, f.index.byte_end, _feature(f.features[0]))
              for f in facet_detection.detect_facets(text)]  # fmt: skip
    dids: dict[str, str | None] = {}
    for mention in facet_detection.detect_mentions(text):
        handle = mention.handle.lower()
        if handle not in dids:
            dids[handle] = resolve_handle(client, handle)
        if dids[handle]:
            feature = {"$type": "app.bsky.richtext.facet#mention", "did": dids[handle]}
            facets.append(_facet(mention.byte_start, mention.byte_end, feature))
    record: dict[str, Any] = {"$type": POST, "text": text, "createdAt": created}
    if facets:
        record["facets"] = sorted(facets, key=lambda f: f["index"]["byteStart"])
    return record


def _facet(start: int, end: int, feature: dict[str, Any]) -> dict[str, Any]:
    return {"index": {"byteStart": start, "byteEnd": end}, "features": [feature]}


def _feature(model: Any) -> dict[str, Any]:
    if hasattr(model, "uri"):
        return {"$type": "app.bsky.richtext.facet#link", "uri": model.uri}
    return {"$type": "app.bsky.richtext.facet#tag", "tag": model.tag}


def resolve_handle(client: Client, handle: str) -> str | None:
    """The DID behind ``handle``, or None when the server cannot resolve it."""
    from atproto_client.exceptions import RequestErrorBase

    try:
        answer = client.invoke_query(
            "com.atproto.identity.resolveHandle", params=_params(handle=handle)
        )
    except RequestErrorBase as error:
        if error.response is None:  # no connection: the whole publish must wait
            raise
        return None
    did = answer.content.get("did") if isinstance(answer.content, dict) else None
    return did if isinstance(did, str) and did.startswith("did:") else None


def put_once(client: Client, repo: str, rkey: str, record: dict[str, Any]) -> str:
    """Create ``record`` under ``rkey`` unless that key is taken; the identical record
    already there is success (a retry), a different one is refused."""
    from atproto_client.exceptions import BadRequestError
    from atproto_client.models.dot_dict import DotDict

    body = {"repo": repo, "collection": POST, "rkey": rkey, "record": record, "swapRecord": None}
    try:
        answer = client.invoke_procedure(
            "com.atproto.repo.putRecord",
            data=DotDict(body),  # keeps the explicit null the SDK's models would drop
            input_encoding="application/json",
            output_encoding="application/json",
        )
    except BadRequestError as error:
        if _xrpc(error)[0] != "InvalidSwap":
            raise
        existing = get_record(client, repo, rkey)
        if (existing.get("text"), existing.get("createdAt")) == (
            record["text"],
            record["createdAt"],
        ):
            return f"at://{repo}/{POST}/{rkey}"  # ours, published by an earlier attempt
        raise Rejected(f"record {rkey} already holds a different post; not published") from None
    uri = answer.content.get("uri") if isinstance(answer.content, dict) else None
    if not isinstance(uri, str):
        raise ValueError("putRecord answered without a uri")
    return uri


def get_record(client: Client, repo: str, rkey: str) -> dict[str, Any]:
    answer = client.invoke_query(
        "com.atproto.repo.getRecord", params=_params(repo=repo, collection=POST, rkey=rkey)
    )
    value = answer.content.get("value") if isinstance(answer.content, dict) else None
    return value if isinstance(value, dict) else {}


class TidClock:
    """Record keys: timestamp identifiers (microseconds << 10 | a clock id), 13 characters of
    sortable base32, strictly increasing within this process."""

    def __init__(self) -> None:
        self._clock_id = random.getrandbits(10)
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            micros = max(time.time_ns() // 1000, self._last + 1)
            self._last = micros
        value = (micros << 10) | self._clock_id
        return "".join(TID_CHARS[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def iso_now() -> str:
    """Now as the lexicon's datetime: UTC, milliseconds, ``Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def post_link(author: str, rkey: str) -> str:
    return f"https://bsky.app/profile/{author}/post/{rkey}"


# -- reading -----------------------------------------------------------------------------


def read_timeline(client: Client, cursor: str, host: str) -> FetchResult:
    """The home timeline's items newer than ``cursor`` (``"<sortAt> <uri>"`` of the newest
    item seen), paging back with the server's cursor until it is reached."""
    from atproto_client.exceptions import RequestErrorBase

    since, seen_uri = _parse_cursor(cursor)
    items: list[NewItem] = []
    newest: tuple[datetime, str] | None = None
    page_cursor = None
    for _ in range(MAX_PAGES if since else 1):
        try:
            page = _timeline_page(client, page_cursor, PAGE if since else FIRST_PAGE)
        except RequestErrorBase as error:
            if _no_appview(error):
                return FetchResult(warnings=[f"{host} offers no home timeline (no AppView)"])
            raise
        reached = False
        for entry in page.get("feed") or []:
            parsed = _entry(entry)
            if parsed is None:
                continue
            sort_at, item = parsed
            if newest is None or sort_at > newest[0]:
                newest = (sort_at, item.remote_id)
            if since and (sort_at < since or (sort_at == since and item.remote_id == seen_uri)):
                reached = True
                continue
            items.append(item)
        page_cursor = page.get("cursor")
        if reached or not isinstance(page_cursor, str) or not page_cursor:
            break
    new_cursor = f"{_cursor_time(newest[0])} {newest[1]}" if newest else cursor
    if since and newest and newest[0] < since:
        new_cursor = cursor
    return FetchResult(items=items, cursor=new_cursor)


def _timeline_page(client: Client, cursor: str | None, limit: int) -> dict[str, Any]:
    params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
    answer = client.invoke_query("app.bsky.feed.getTimeline", params=_params(**params))
    if not isinstance(answer.content, dict):
        raise ValueError("getTimeline answered without JSON")
    return answer.content


def _entry(entry: Any) -> tuple[datetime, NewItem] | None:
    """One timeline entry as (sort time, item); None for what is not a readable post."""
    post = entry.get("post") if isinstance(entry, dict) else None
    if not isinstance(post, dict) or not isinstance(post.get("uri"), str):
        return None
    record, author = post.get("record") or {}, post.get("author") or {}
    indexed = parse_iso(post.get("indexedAt"))
    if indexed is None or not isinstance(record, dict) or not isinstance(author, dict):
        return None
    created = parse_iso(record.get("createdAt")) or indexed
    handle = _string(author.get("handle")) or _string(author.get("did"))
    name = _string(author.get("displayName"))
    title, sort_at = "", min(created, indexed)
    reason = entry.get("reason")
    if isinstance(reason, dict) and str(reason.get("$type", "")).endswith("reasonRepost"):
        by = reason.get("by")
        title = f"reposted by @{_string(by.get('handle') if isinstance(by, dict) else '')}"
        sort_at = parse_iso(reason.get("indexedAt")) or indexed
    item = NewItem(
        remote_id=post["uri"],
        created=created.timestamp(),
        author=f"{name} (@{handle})" if name else f"@{handle}",
        title=title,
        text=_string(record.get("text")),
        url=post_link(handle, post["uri"].rsplit("/", 1)[-1]),
    )
    return sort_at, item


def _parse_cursor(cursor: str) -> tuple[datetime | None, str]:
    when, _, uri = cursor.partition(" ")
    return parse_iso(when), uri


def _cursor_time(moment: datetime) -> str:
    """A cursor's time: UTC with microseconds, so items of the same second keep their order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "Z"


def _string(value: Any) -> str:
    """A JSON value that should be a string, or "" (servers send what they like)."""
    return value if isinstance(value, str) else ""


def _no_appview(error: Any) -> bool:
    """The PDS has no AppView to send app.bsky reads to (or none answers)."""
    from atproto_client.client.base import is_method_not_served

    if error.response is None:
        return False
    name, message = _xrpc(error)
    status = error.response.status_code
    return (
        (status == 502 and name == "UpstreamFailure")
        or (status == 400 and message.startswith("No service configured"))
        or is_method_not_served(error)
    )


# -- errors ------------------------------------------------------------------------------


def translate(error: Exception, server: str, doing: str, secret: str) -> NetworkError | None:
    """Our error for what the SDK or httpx raised, or None for a bug (re-raised as is)."""
    import httpx
    from atproto_client import exceptions as sdk
    from atproto_core.exceptions import AtProtocolError

    host = _host(server)
    if isinstance(error, sdk.RateLimitExceededError):
        wait = retry_after(error.response.headers) if error.response is not None else None
        hint = f"; retry in {wait:.0f} s" if wait is not None else ""
        return RateLimited(f"{host} is rate-limiting {doing}{hint}", retry_after=wait)
    if isinstance(error, sdk.RequestErrorBase) and error.response is None:
        return _transport(error.__cause__, host, doing)
    if isinstance(error, sdk.RequestErrorBase):
        return _status(error, host, doing, secret)
    if isinstance(error, httpx.TransportError):
        return _transport(error, host, doing)
    if isinstance(error, httpx.HTTPError):
        return Rejected(f"{host} is not a usable server address ({type(error).__name__})")
    if isinstance(error, ValueError | AtProtocolError):  # bad JSON, an answer missing fields
        return ServerTrouble(f"{host} sent an invalid answer while {doing}")
    return None


def _transport(cause: BaseException | None, host: str, doing: str) -> NetworkError:
    """No answer: refused, unknown host, timeouts, a connection cut mid-answer."""
    import httpx

    if isinstance(cause, httpx.ConnectError):
        return Unreachable(f"cannot reach {host} ({_why(cause)}); nothing was sent")
    if isinstance(cause, httpx.ConnectTimeout | httpx.PoolTimeout):
        return Unreachable(f"cannot reach {host} (connection timed out); nothing was sent")
    if isinstance(cause, httpx.TimeoutException):
        return ServerTrouble(f"{host} did not answer in time while {doing}")
    return ServerTrouble(f"the connection to {host} broke while {doing}")


def _status(error: Any, host: str, doing: str, secret: str) -> NetworkError:
    status = error.response.status_code
    name, message = _xrpc(error)
    why = _redacted(message or name, secret)
    if status in (401, 403) or name in TOKEN_ERRORS:
        return AuthFailed(f"{host} refused the account's credentials: {why or status}")
    if status >= 500 or status in (408, 409):
        return ServerTrouble(f"{host} had trouble {doing} ({status} {_redacted(name, secret)})")
    return Rejected(f"{host} refused {doing}: {why or status}")


def _why(error: BaseException) -> str:
    text = str(error).lower()
    if "refused" in text:
        return "connection refused"
    if "name" in text or "nodename" in text or "resolution" in text:
        return "unknown host name"
    return "no route"


def _token_refused(error: Exception) -> bool:
    """The server refused the session's token (expired, revoked, tampered)."""
    from atproto_client.exceptions import BadRequestError, UnauthorizedError

    if not isinstance(error, BadRequestError | UnauthorizedError) or error.response is None:
        return False
    name = _xrpc(error)[0]
    return name in TOKEN_ERRORS or (error.response.status_code == 401 and name == "AuthRequired")


def _xrpc(error: Any) -> tuple[str, str]:
    """The XRPC error name and message of a refused request ("" when there are none)."""
    content = error.response.content if error.response is not None else None
    name = getattr(content, "error", None)
    message = getattr(content, "message", None)
    return (name if isinstance(name, str) else ""), (message if isinstance(message, str) else "")


def _redacted(text: str, secret: str) -> str:
    """Server text fit for a one-line message: cleaned, short, and never the secret (masked
    before the text is cut, so no part of it can remain)."""
    masked = text.replace(secret, "***") if secret else text
    return one_line(masked, MAX_MESSAGE)


def _params(**values: Any) -> Any:
    from atproto_client.models.dot_dict import DotDict

    return DotDict(values)


def _session(client: Client) -> Any:
    session = client._session
    if session is None:
        raise AuthFailed("not logged in")
    return session


def _key(handle: str) -> str:
    return handle.strip().lstrip("@").lower()


def _host(server: str) -> str:
    return urlsplit(server).netloc or server


def server_url(url: str) -> str:
    """``bsky.social`` or ``https://bsky.social/`` → ``https://bsky.social``."""
    url = url.strip().rstrip("/")
    if "://" not in url:
        url = f"https://{url}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Rejected(f"not a Bluesky server address: {url[:80]!r}")
    return url
