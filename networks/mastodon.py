"""Mastodon through Mastodon.py: an instance URL and an access token.

Publishing sends the outbox's idempotency key as ``Idempotency-Key``, so a retry of a post
that did reach the server returns the status it already created instead of a second one.
The home timeline is read forward from the stored cursor (the newest status id seen) with
``min_id``, page by page, up to a cap per fetch; the first fetch takes the newest page only.
Status HTML becomes plain text; boosts show their original author, content warnings stay
visible as a prefix. Every failure becomes one of ``networks.errors`` with a one-line
message naming the instance — never the token.

The OAuth app flow (``register_app``, ``authorize_url``, ``exchange_code``) gives an access
token for a user who has none yet. Mastodon.py (~0.3 s to import) is imported only when a
Mastodon account is used.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode, urlsplit

import regex

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
    Unreachable,
)
from personae.networks.html_text import html_to_text, plain_text
from personae.networks.retry_after import retry_after
from personae.networks.timestamps import parse_iso
from personae.store import NewItem
from personae.store.text import one_line

if TYPE_CHECKING:
    import requests

T = TypeVar("T")

TIMEOUT = (10.0, 30.0)  # seconds to connect, seconds of silence while waiting for the answer
PAGE = 40  # the most statuses Mastodon returns per timeline page
MAX_PAGES = 10  # per fetch; the rest comes on the next one, from the stored cursor
URL_LENGTH = 23  # what Mastodon counts for any link, whatever its length
SCOPES = ["read", "write"]
OOB = "urn:ietf:wg:oauth:2.0:oob"  # the code is shown to the user instead of redirected
CLIENT_NAME = "personae"
MAX_MESSAGE = 200  # characters of a server's error text kept in a message

# How Mastodon counts a post (its StatusLengthValidator, with twitter-text's extractor):
# grapheme clusters, where a link counts 23 whatever its length and a remote mention
# "@user@domain" counts as "@user". A link has its scheme (a bare "example.org" is text),
# is not glued to a word, a mention or a tag, has a host with a top-level domain, and ends
# before trailing punctuation; parentheses stay in it only in pairs.
_LINK = regex.compile(
    r"""
    (?<![A-Za-z0-9@＠$#＃])
    https?://
    (?:[\p{L}\p{N}](?:[\p{L}\p{N}_-]*[\p{L}\p{N}])?\.)+ (?:\p{L}{2,}|xn--[a-z0-9-]+)
    (?::[0-9]{1,5})?
    (?:[/?] (?:[^\s()<>"]|\([^\s()<>"]*\))* (?<=[\p{L}\p{N}/=\#&+_)-]))?
    """,
    regex.VERBOSE | regex.IGNORECASE,
)
_REMOTE_MENTION = regex.compile(
    r"(?<![=/\w])@([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?)@[\w.-]+\w", regex.IGNORECASE
)
_GRAPHEME = regex.compile(r"\X")


class MastodonNetwork(Network):
    name = "mastodon"
    title = "Mastodon"
    capabilities = Capabilities(max_length=500, secret_label="access token")

    def __init__(
        self,
        timeout: tuple[float, float] = TIMEOUT,
        max_pages: int = MAX_PAGES,
        page_size: int = PAGE,
    ) -> None:
        self.timeout = timeout
        self.max_pages = max_pages
        self.page_size = page_size

    def verify(self, source: Source) -> Verified:
        with _Api(source.url, _token(source), self.timeout) as api:
            me = api.call(lambda m: m.account_verify_credentials())
        username = _field(me, "username") or _field(me, "acct").split("@")[0]
        if not username:
            raise ServerTrouble(f"{api.instance}: the account answer names no user")
        return Verified(
            handle=f"@{username}@{api.host}",
            display_name=one_line(_field(me, "display_name"), MAX_MESSAGE),
        )

    def fetch(self, source: Source) -> FetchResult:
        with _Api(source.url, _token(source), self.timeout) as api:
            statuses = self._new_statuses(api, source.cursor)
        result = FetchResult(cursor=source.cursor)
        for status in statuses:
            try:
                result.items.append(status_item(status, api.host))
            except (KeyError, TypeError, AttributeError, ValueError):
                result.warnings.append(f"{api.instance}: skipped a status it sent malformed")
        ids = [_field(s, "id") for s in statuses if _field(s, "id")]
        if ids:
            result.cursor = max([*ids, source.cursor] if source.cursor else ids, key=_id_order)
        return result

    def _new_statuses(self, api: _Api, cursor: str) -> list[Any]:
        """Statuses newer than ``cursor``, each once; only the newest page on a first fetch."""
        if not cursor:
            return list(api.call(lambda m: m.timeline_home(limit=self.page_size)) or [])
        found: dict[str, Any] = {}
        after = cursor
        for _ in range(self.max_pages):
            page = _page_after(api, after, self.page_size)
            fresh = [s for s in page if _id_order(_field(s, "id")) > _id_order(after)]
            for status in fresh:
                found.setdefault(_field(status, "id"), status)
            if len(page) < self.page_size or not fresh:
                break
            after = max((_field(s, "id") for s in fresh), key=_id_order)
        return sorted(found.values(), key=lambda s: _id_order(_field(s, "id")), reverse=True)

    def publish(self, source: Source, post: Post) -> Published:
        with _Api(source.url, _token(source), self.timeout) as api:
            status = api.call(lambda m: m.status_post(post.text, idempotency_key=post.idem_key))
        remote_id = _field(status, "id")
        if not remote_id:
            raise ServerTrouble(f"{api.instance}: the answer to the post names no status")
        return Published(remote_id=remote_id, url=_field(status, "url") or _field(status, "uri"))

    def delete(self, source: Source, remote_id: str) -> None:
        """Delete a status; one that is already gone counts as deleted."""
        with _Api(source.url, _token(source), self.timeout) as api:
            api.call(lambda m: m.status_delete(remote_id), missing_ok=True)

    def length(self, text: str) -> int:
        """As Mastodon counts: grapheme clusters, any link as 23, "@user@domain" as "@user"."""
        countable = _LINK.sub("x" * URL_LENGTH, text)
        countable = _REMOTE_MENTION.sub(r"@\1", countable)
        return len(_GRAPHEME.findall(countable))


def _page_after(api: _Api, min_id: str, size: int) -> list[Any]:
    """The page of home statuses right after ``min_id`` (Mastodon: newest first)."""
    return list(api.call(lambda m: m.timeline_home(min_id=min_id, limit=size)) or [])


# -- the OAuth app flow ---------------------------------------------------------------------


def register_app(
    server: str,
    *,
    redirect_uri: str = OOB,
    client_name: str = CLIENT_NAME,
    timeout: tuple[float, float] = TIMEOUT,
) -> tuple[str, str]:
    """Register personae as an app on ``server``: its (client_id, client_secret)."""
    from mastodon import Mastodon

    with _Api(server, "", timeout) as api:
        client_id, client_secret = api.call(
            lambda m: Mastodon.create_app(
                client_name,
                scopes=SCOPES,
                redirect_uris=redirect_uri,
                api_base_url=api.base_url,
                request_timeout=timeout,  # type: ignore[arg-type]  # requests takes a pair
                session=api.session,
            )
        )
    return str(client_id), str(client_secret)


def authorize_url(server: str, client_id: str, redirect_uri: str = OOB, state: str = "") -> str:
    """Where the user's browser goes to grant access; the page shows (or redirects with) a
    code for ``exchange_code``. Built locally, at Mastodon's documented endpoint."""
    base = _base_url(server)
    query = {
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "scope": " ".join(SCOPES),
    }
    if state:
        query["state"] = state
    return f"{base}/oauth/authorize?{urlencode(query)}"


def exchange_code(
    server: str,
    client_id: str,
    client_secret: str,
    code: str,
    *,
    redirect_uri: str = OOB,
    timeout: tuple[float, float] = TIMEOUT,
) -> str:
    """The access token for the code the user got from ``authorize_url``."""
    with _Api(server, "", timeout, client_id=client_id, client_secret=client_secret) as api:
        allow_http = urlsplit(api.base_url).scheme == "http"  # only when the user chose http
        token = api.call(
            lambda m: m.log_in(
                code=code.strip(), redirect_uri=redirect_uri, scopes=SCOPES, allow_http=allow_http
            )
        )
    if not token:
        raise ServerTrouble(f"{api.instance}: no access token in the answer")
    return str(token)


# -- talking to one instance ----------------------------------------------------------------


class _Api:
    """A Mastodon.py client for one instance, whose every failure becomes a NetworkError.

    Mastodon.py drops the response behind its errors (a 429 loses its Retry-After, a bad
    body its status), so a hook on the requests session keeps the last response seen."""

    def __init__(
        self,
        server: str,
        token: str,
        timeout: tuple[float, float],
        client_id: str | None = None,
        client_secret: str | None = None,
    ) -> None:
        import requests
        from mastodon import Mastodon

        self.base_url = _base_url(server)
        parts = urlsplit(self.base_url)
        self.instance = parts.netloc
        self.host = (parts.hostname or parts.netloc).lower()
        self.last: requests.Response | None = None
        self.session = requests.Session()
        self.session.hooks["response"].append(self._seen)
        self.client = Mastodon(
            client_id=client_id,
            client_secret=client_secret,
            access_token=token or None,
            api_base_url=self.base_url,
            ratelimit_method="throw",  # never sleep inside a sync; the outbox schedules
            request_timeout=timeout,  # type: ignore[arg-type]  # requests takes a pair
            session=self.session,
            version_check_mode="none",
            user_agent="personae",
        )

    def _seen(self, response: requests.Response, *args: object, **kwargs: object) -> None:
        self.last = response

    def __enter__(self) -> _Api:
        return self

    def __exit__(self, *exc: object) -> None:
        self.session.close()

    def call(self, request: Callable[[Any], T], missing_ok: bool = False) -> T:
        self.last = None
        try:
            return request(self.client)
        except Exception as error:  # whatever Mastodon.py raised, decided below
            failure = self._failure(error)
        if missing_ok and self.last is not None and self.last.status_code in (404, 410):
            return None
        raise failure

    def _failure(self, error: Exception) -> NetworkError:
        from mastodon import errors

        where = self.instance
        if isinstance(error, errors.MastodonRatelimitError):
            wait = _wait(self.last)
            when = f"; try again in {wait:.0f} s" if wait is not None else ""
            return RateLimited(f"{where}: too many requests{when}", retry_after=wait)
        if isinstance(error, errors.MastodonNetworkError):
            return _connection_failure(where, error.__context__)
        if self.last is not None and not self.last.ok:
            return _refusal(where, self.last)
        if isinstance(error, errors.MastodonIllegalArgumentError):
            return Rejected(f"{where}: {one_line(str(error), MAX_MESSAGE)}")
        if "scope" in str(error).lower():  # log_in: fewer rights granted than asked for
            return AuthFailed(f"{where} granted fewer rights than personae needs (read, write)")
        return ServerTrouble(f"{where}: invalid or truncated answer")


def _refusal(where: str, response: requests.Response) -> NetworkError:
    """An HTTP error status as a decision: fix credentials, wait, retry, or give up."""
    status = response.status_code
    said = _server_message(response)
    detail = f": {said}" if said else ""
    if status in (401, 403):
        return AuthFailed(f"{where} refused the access token ({status}{detail})")
    if status == 400 and said in ("invalid_grant", "invalid_client"):
        return AuthFailed(f"{where} refused the authorization ({said})")
    if status == 429:
        wait = _wait(response)
        return RateLimited(f"{where}: too many requests", retry_after=wait)
    if status == 408 or status >= 500:
        return ServerTrouble(f"{where}: server error {status}{detail}")
    if status == 422:
        return Rejected(f"{where} refused it{detail or ' (422)'}")
    return Rejected(f"{where} answered {status}{detail}")


def _connection_failure(where: str, cause: BaseException | None) -> NetworkError:
    """A request that got no complete answer: was anything sent? (Mastodon.py keeps the
    requests exception as the context of its MastodonNetworkError.)"""
    import requests
    import urllib3

    if isinstance(cause, requests.exceptions.ConnectTimeout):
        return Unreachable(f"{where}: no answer to the connection (timed out)")
    if isinstance(cause, requests.exceptions.Timeout):
        return ServerTrouble(f"{where}: timed out waiting for the answer")
    reason = getattr(cause.args[0], "reason", None) if cause and cause.args else None
    if isinstance(reason, urllib3.exceptions.NameResolutionError):
        return Unreachable(f"{where}: unknown host")
    if isinstance(reason, urllib3.exceptions.NewConnectionError):
        why = "connection refused" if "refused" in str(reason).lower() else "cannot connect"
        return Unreachable(f"{where}: {why}")
    if isinstance(cause, requests.exceptions.SSLError):
        return Unreachable(f"{where}: the TLS handshake failed")
    if isinstance(cause, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return Rejected(f"{where}: not a usable instance URL")
    return ServerTrouble(f"{where}: the connection broke off before a full answer")


def _wait(response: requests.Response | None) -> float | None:
    """The wait the server asked for, when there was an answer."""
    return retry_after(response.headers) if response is not None else None


def _server_message(response: requests.Response) -> str:
    """The server's ``{"error": ...}`` text, one line, bounded; untrusted like any text."""
    try:
        body = response.json()
    except ValueError:
        return ""
    said = body.get("error") if isinstance(body, dict) else None
    return one_line(said, MAX_MESSAGE) if isinstance(said, str) else ""


# -- statuses as timeline items -------------------------------------------------------------


def status_item(status: Any, host: str) -> NewItem:
    """One status as the timeline shows it. A boost shows the boosted status and its
    author, and says who boosted it; a content warning is kept, visibly, before the text."""
    if not _field(status, "id"):
        raise ValueError("a status without an id")
    boosted = status.get("reblog")
    shown = boosted or status
    text = html_to_text(_field(shown, "content"))
    warning = plain_text(_field(shown, "spoiler_text"))
    if warning:
        text = f"CW: {warning}\n\n{text}" if text else f"CW: {warning}"
    media = [_attachment(a) for a in shown.get("media_attachments") or []]
    if media:
        text = "\n".join([text, *media]) if text else "\n".join(media)
    return NewItem(
        remote_id=_field(status, "id"),
        created=_created(status.get("created_at")),  # a boost sits where it was boosted
        author=_who(shown["account"], host),
        title=f"boosted by {_who(status['account'], host)}" if boosted else "",
        text=text,
        url=_field(shown, "url") or _field(shown, "uri"),
    )


def _who(account: Any, host: str) -> str:
    """ "Name (@user@instance)"; local accounts get the instance they are on."""
    acct = _field(account, "acct") or _field(account, "username")
    if "@" not in acct:
        acct = f"{acct}@{host}"
    name = one_line(_field(account, "display_name"), MAX_MESSAGE)
    return f"{name} (@{acct})" if name else f"@{acct}"


def _attachment(attachment: Any) -> str:
    kind = _field(attachment, "type") or "media"
    described = one_line(_field(attachment, "description"), MAX_MESSAGE)
    return f"[{kind}: {described}]" if described else f"[{kind}]"


def _created(value: Any) -> float:
    """When a status was made: Mastodon.py gives a datetime, raw JSON an ISO string; a
    status with no usable date is placed at the moment it arrived."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    moment = parse_iso(value)
    return moment.timestamp() if moment else time.time()


# -- small helpers --------------------------------------------------------------------------


def _base_url(server: str) -> str:
    """The instance's base URL: https assumed when no scheme is given, no trailing slash."""
    url = (server or "").strip().rstrip("/")
    if url and "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Rejected(f"not a Mastodon instance URL: {one_line(server, MAX_MESSAGE)!r}")
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _token(source: Source) -> str:
    if not source.secret:
        raise AuthFailed(f"{urlsplit(_base_url(source.url)).netloc}: no access token given")
    return source.secret


def _field(entity: Any, key: str) -> str:
    """An entity's field as a string ("" when absent): ids come as strings or numbers."""
    value = entity.get(key) if isinstance(entity, dict) else None
    return "" if value is None else str(value)


def _id_order(status_id: str) -> tuple[int, str]:
    """Mastodon ids are numbers in strings: longer is newer, then by digits."""
    return (len(status_id), status_id)
