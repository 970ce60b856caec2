"""RSS and Atom feeds, read with feedparser over httpx.

A fetch is one conditional GET: the validators stored after the last fetch (ETag,
Last-Modified) go along, so an unchanged feed costs one request answered 304. Redirects are
followed by hand, to tell a permanent move (store the new URL) from a temporary one. The
body is read as a stream under a size limit and a deadline, then parsed from memory —
never handed to feedparser as a string, which it would take for a file name or a URL.

Items keep a stable remote id (guid or Atom id, else the link, else a hash of title and
date), so the store recognises them on every later fetch. Their HTML is reduced to plain
text here; what remains is untrusted text that the TUI shows literally.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from personae.networks.base import Capabilities, FetchResult, Network, Source, Verified
from personae.networks.errors import NetworkError, RateLimited, Rejected, ServerTrouble, Unreachable
from personae.networks.html_text import html_to_text, plain_text
from personae.networks.retry_after import retry_after
from personae.networks.timestamps import parse_http_date
from personae.store import NewItem
from personae.store.text import one_line

if TYPE_CHECKING:
    import httpx

ACCEPT = (
    "application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
PERMANENT_REDIRECTS = (301, 308)
MAX_REMOTE_ID = 512  # longer ids (whole posts in a guid) are hashed
MAX_MESSAGE = 160  # characters of a parser's or a server's words kept in a message
# Parse problems that say nothing about what was kept: a server's content type, mostly.
HARMLESS_BOZO = ("NonXMLContentType",)
_ERRNO = re.compile(r"^\[Errno -?\d+\]\s*")


@dataclass(frozen=True)
class Limits:
    """How long and how much a fetch may take before it gives up."""

    connect: float = 10.0  # seconds to open the connection
    read: float = 30.0  # seconds of silence while waiting for data
    total: float = 60.0  # seconds for the whole fetch, redirects included
    max_bytes: int = 10 * 1024 * 1024  # of the decompressed body
    max_redirects: int = 5


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    items: list[NewItem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Answer:
    url: str  # where the answer came from, after redirects
    moved_to: str  # the end of the permanent redirects, if any
    status: int
    headers: Mapping[str, str]
    body: bytes


class FeedNetwork(Network):
    name = "rss"
    title = "RSS/Atom"
    capabilities = Capabilities(read_only=True, needs_secret=False, secret_label="none")

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._client: httpx.Client | None = None
        self._client_lock = threading.Lock()

    def verify(self, source: Source) -> Verified:
        """Check that the address serves a feed; its title becomes the handle."""
        answer = self._download(source.url)
        if answer.status == 410:
            raise Rejected(f"{_host(answer.url)} says this feed is gone for good (410)")
        parsed = parse_feed(answer.body, answer.url, answer.headers)
        return Verified(handle=parsed.title or _host(answer.url))

    def fetch(self, source: Source) -> FetchResult:
        answer = self._download(source.url, source.etag, source.last_modified)
        if answer.status == 304:
            return FetchResult(
                not_modified=True,
                etag=answer.headers.get("etag") or source.etag,
                last_modified=answer.headers.get("last-modified") or source.last_modified,
                moved_to=answer.moved_to,
            )
        if answer.status == 410:
            return FetchResult(gone=True, moved_to=answer.moved_to)
        parsed = parse_feed(answer.body, answer.url, answer.headers)
        return FetchResult(
            items=parsed.items,
            etag=answer.headers.get("etag", ""),
            last_modified=answer.headers.get("last-modified", ""),
            moved_to=answer.moved_to,
            warnings=parsed.warnings,
        )

    def close(self) -> None:
        """Close the pooled connections."""
        with self._client_lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    # -- HTTP ---------------------------------------------------------------------------------

    def _http(self) -> httpx.Client:
        """One client per adapter: its TLS context and connection pool are reused."""
        import httpx

        with self._client_lock:
            if self._client is None:
                limits = self.limits
                self._client = httpx.Client(
                    timeout=httpx.Timeout(limits.read, connect=limits.connect),
                    follow_redirects=False,
                    headers={"User-Agent": user_agent(), "Accept": ACCEPT},
                )
            return self._client

    def _download(self, url: str, etag: str = "", last_modified: str = "") -> _Answer:
        import httpx

        url = _check_url(url)
        headers = {}
        if etag and _sendable(etag):
            headers["If-None-Match"] = etag
        if last_modified and _sendable(last_modified):
            headers["If-Modified-Since"] = last_modified
        client = self._http()
        deadline = time.monotonic() + self.limits.total
        moved_to, permanent = "", True
        for _ in range(self.limits.max_redirects + 1):
            try:
                with client.stream("GET", url, headers=headers) as response:
                    if time.monotonic() > deadline:  # slow hops add up; the limit is overall
                        raise _too_slow(url, self.limits.total)
                    if response.has_redirect_location:  # 304 is a 3xx too, with no Location
                        url = _redirect_target(url, response)
                        permanent = permanent and response.status_code in PERMANENT_REDIRECTS
                        moved_to = url if permanent else moved_to
                        continue
                    _check_status(response, url)
                    ok = response.status_code < 300
                    body = self._read(response, url, deadline) if ok else b""
                    return _Answer(url, moved_to, response.status_code, response.headers, body)
            except httpx.HTTPError as error:
                raise _translate(error, url, self.limits) from None
            except httpx.InvalidURL:
                raise Rejected("not a usable feed address") from None
        raise ServerTrouble(f"{_host(url)} redirects more than {self.limits.max_redirects} times")

    def _read(self, response: httpx.Response, url: str, deadline: float) -> bytes:
        """The decompressed body, stopped as soon as it passes the size limit or the deadline."""
        limit = self.limits.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _too_big(url, limit)
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise _too_big(url, limit)
            if time.monotonic() > deadline:
                raise _too_slow(url, self.limits.total)
            chunks.append(chunk)
        return b"".join(chunks)


# -- parsing ----------------------------------------------------------------------------------


def parse_feed(body: bytes, url: str = "", headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """The items of a feed document. ``url`` resolves relative links; ``headers`` (the HTTP
    answer's) give the charset and a date for items that carry none.

    Raises ``Rejected`` (or ``ServerTrouble`` for an empty answer) when the body is not a
    feed at all; a feed that is only partly well-formed keeps what parsed, with a warning.
    """
    import feedparser

    headers = headers or {}
    # No content-location: feedparser would resolve a relative guid against it, and an
    # item's id would change with the address the feed was fetched from. Links are
    # resolved here instead.
    given = {"content-type": headers["content-type"]} if headers.get("content-type") else {}
    if not body.strip():
        raise ServerTrouble(f"{_host(url)} sent an empty answer instead of a feed")
    data = feedparser.parse(
        io.BytesIO(body), response_headers=given, sanitize_html=False, resolve_relative_uris=False
    )
    entries = data.get("entries", [])
    if not data.get("version") and not entries:
        raise Rejected(f"{_host(url)} sent {_what(body, headers)}, not a feed")
    feed = data.get("feed", {})
    title = _title(feed, "title")
    fallback = _feed_time(feed, headers)
    items = _items(entries, url, title, _author(feed), fallback)
    return ParsedFeed(title=title, items=items, warnings=_warnings(data, len(items)))


def _items(
    entries: list[Any], url: str, feed_title: str, feed_author: str, fallback: float
) -> list[NewItem]:
    items, seen = [], set()
    for index, entry in enumerate(entries):
        item = _item(entry, url, feed_title, feed_author, fallback - index)
        if item.remote_id not in seen:  # a feed may repeat an entry; keep the first
            seen.add(item.remote_id)
            items.append(item)
    return items


def _item(entry: Any, url: str, feed_title: str, feed_author: str, undated: float) -> NewItem:
    title = _title(entry, "title")
    link = _link(entry, url)
    created = _entry_time(entry)
    return NewItem(
        remote_id=_remote_id(entry, title, created),
        created=undated if created is None else created,
        author=_author(entry) or feed_author or feed_title,
        title=title,
        text=_body(entry),
        url=link,
    )


def _remote_id(entry: Any, title: str, created: float | None) -> str:
    """guid/id, else the link as written (not resolved: the feed may move), else a hash of
    what identifies the entry to a reader."""
    remote_id = (entry.get("id") or "").strip() or (entry.get("link") or "").strip()
    if not remote_id:
        basis = f"{title}\x00{created if created is not None else ''}"
        if created is None and not title:
            basis += "\x00" + _body(entry)
        remote_id = "sha256:" + hashlib.sha256(basis.encode("utf-8", "replace")).hexdigest()
    elif len(remote_id) > MAX_REMOTE_ID:
        remote_id = "sha256:" + hashlib.sha256(remote_id.encode("utf-8", "replace")).hexdigest()
    return remote_id


def _title(record: Any, key: str) -> str:
    """A title-like field as plain text on one line, whatever markup its feed declared."""
    value = record.get(key) or ""
    if not value:
        return ""
    kind = (record.get(f"{key}_detail") or {}).get("type", "text/html")
    text = html_to_text(value) if "html" in kind else plain_text(value)
    return " ".join(text.split())  # titles are one line


def _body(entry: Any) -> str:
    """The fullest text the entry offers: its content, else its summary."""
    for part in entry.get("content") or ():
        if part.get("value"):
            return _reduce(part["value"], part.get("type", "text/html"))
    summary = entry.get("summary") or ""
    kind = (entry.get("summary_detail") or {}).get("type", "text/html")
    return _reduce(summary, kind) if summary else ""


def _reduce(value: str, kind: str) -> str:
    return html_to_text(value) if "html" in kind else plain_text(value)


def _author(record: Any) -> str:
    detail = record.get("author_detail") or {}
    name = detail.get("name") or record.get("author") or ""
    return " ".join(html_to_text(name).split()) if name else ""


def _link(entry: Any, base: str) -> str:
    """The entry's web address, relative ones resolved against the feed's, when it is one
    a browser may open."""
    link = (entry.get("link") or "").strip()
    if link.startswith(("https://", "http://")) and "[" not in link:
        return link  # the common case, without urljoin's cost on 10,000 items
    try:
        link = urljoin(base, link) if link and base else link
        return link if urlsplit(link).scheme in ("http", "https") else ""
    except ValueError:  # a malformed address (bad port, bracket) is no link
        return ""


def _entry_time(record: Any) -> float | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        # dict.get: feedparser's own get maps a missing updated_parsed to published_parsed,
        # with a DeprecationWarning each time.
        parsed = dict.get(record, key)
        if parsed:
            try:
                return float(calendar.timegm(parsed))
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _feed_time(feed: Any, headers: Mapping[str, str]) -> float:
    """When undated entries are said to be from: the feed's own date, else the server's
    Last-Modified or Date, else now. Entries then count down from it, in feed order."""
    found = _entry_time(feed)
    if found is not None:
        return found
    for header in ("last-modified", "date"):
        moment = parse_http_date(headers.get(header))
        if moment is not None:
            return moment.timestamp()
    return float(int(time.time()))


def _warnings(data: Any, kept: int) -> list[str]:
    error = data.get("bozo_exception")
    if not data.get("bozo") or error is None or type(error).__name__ in HARMLESS_BOZO:
        return []
    reason = one_line(str(error), MAX_MESSAGE).removeprefix("<unknown>:") or type(error).__name__
    return [f"the feed is not well-formed ({reason}); kept the {kept} items that parsed"]


def _what(body: bytes, headers: Mapping[str, str]) -> str:
    start = body[:512].lstrip().lower()
    kind = headers.get("content-type", "").split(";")[0].strip().lower()
    if "html" in kind or start.startswith((b"<!doctype html", b"<html")):
        return "a web page"
    if kind.startswith(("image/", "audio/", "video/")) or kind == "application/octet-stream":
        return f"a file of type {kind}"
    return "something else"


# -- HTTP helpers -----------------------------------------------------------------------------


def user_agent() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("personae")
    except PackageNotFoundError:
        release = "dev"
    return f"personae/{release} (feed reader; +https://pypi.org/project/personae/)"


def _check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Rejected("not a feed address (expected http:// or https://)")
    return url


def _host(url: str) -> str:
    """Who answered, for messages: host and port, never the path or query (they may hold
    a private feed's token)."""
    try:
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "the server"
    return f"{parts.hostname}{port}" if parts.hostname else "the server"


def _sendable(value: str) -> bool:
    """Only printable ASCII goes back in a header (a hostile validator could hold more)."""
    return value.isascii() and value.isprintable()


def _redirect_target(url: str, response: httpx.Response) -> str:
    target = urljoin(url, response.headers["location"].strip())
    if urlsplit(target).scheme not in ("http", "https"):
        raise Rejected(f"{_host(url)} redirects to an address that is not a web address")
    return target


def _check_status(response: httpx.Response, url: str) -> None:
    """Raise for an answer that carries no feed; 2xx, 304 and 410 pass."""
    status = response.status_code
    if 200 <= status < 300 or status in (304, 410):
        return
    host, phrase = _host(url), f"{status} {response.reason_phrase}".strip()
    wait = retry_after(response.headers)
    if status == 429:
        later = f"; try again in {wait:.0f} s" if wait is not None else ""
        raise RateLimited(f"{host} asks to slow down ({phrase}){later}", retry_after=wait)
    if status >= 500:
        raise ServerTrouble(f"{host} has trouble ({phrase})", retry_after=wait)
    if status == 404:
        raise Rejected(f"{host} has no feed at this address ({phrase})")
    if status in (401, 403):
        raise Rejected(f"{host} refuses to serve this feed ({phrase})")
    if 300 <= status < 400:
        raise ServerTrouble(f"{host} answered {phrase} without saying where to")
    raise Rejected(f"{host} refused the request ({phrase})")


def _translate(error: Exception, url: str, limits: Limits) -> NetworkError:
    """An httpx failure as the error the rest of personae understands."""
    import httpx

    host = _host(url)
    reason = one_line(_ERRNO.sub("", str(error)), MAX_MESSAGE) or type(error).__name__
    if isinstance(error, httpx.ConnectTimeout):
        return Unreachable(f"{host} did not accept a connection within {limits.connect:g} s")
    if isinstance(error, httpx.TimeoutException):
        return ServerTrouble(f"{host} did not answer within {limits.read:g} s")
    if isinstance(error, (httpx.ConnectError, httpx.ProxyError)):
        return Unreachable(f"cannot connect to {host}: {reason}")
    if isinstance(error, httpx.RemoteProtocolError):
        return ServerTrouble(f"{host} broke off its answer ({reason})")
    if isinstance(error, httpx.DecodingError):
        return ServerTrouble(f"{host} sent a compressed answer that does not decompress")
    if isinstance(error, httpx.UnsupportedProtocol):
        return Rejected("not a feed address (expected http:// or https://)")
    return ServerTrouble(f"fetching from {host} failed ({reason})")


def _too_slow(url: str, total: float) -> ServerTrouble:
    return ServerTrouble(f"{_host(url)} took longer than {total:g} s to send the feed")


def _too_big(url: str, limit: int) -> Rejected:
    return Rejected(f"the feed at {_host(url)} is larger than {_size(limit)}; not read")


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / 1024 / 1024:.3g} MB"
    return f"{count / 1024:.3g} kB"
