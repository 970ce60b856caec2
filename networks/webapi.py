"""What the HTTP-API adapters (X, LinkedIn, Facebook, Threads) share: one httpx client per
adapter with connect/read timeouts and a total deadline, bodies read under a size limit,
transport failures as ``Unreachable`` (nothing sent) or ``ServerTrouble`` (maybe sent),
JSON that is never trusted, rate-limit headers as seconds to wait, and the text matching
that ``find_published`` uses. httpx is imported inside the functions that send.
"""

from __future__ import annotations

import html
import json
import re
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from personae.networks.errors import Rejected, ServerTrouble, Unreachable
from personae.store.text import one_line

if TYPE_CHECKING:
    import httpx

MAX_SAID = 160  # characters of a server's own words kept in a message
FIND_SLACK = 120.0  # seconds before an attempt that a find_published look-up also covers
FIND_WINDOW = 24 * 3600.0  # how far back to look when the attempt's time is unknown
_URL = re.compile(r"https?://\S+", re.IGNORECASE)


@dataclass(frozen=True)
class Limits:
    """How long and how much one request may take."""

    connect: float = 10.0  # seconds to open the connection
    read: float = 30.0  # seconds of silence while waiting for the answer
    total: float = 60.0  # seconds for the whole request, body included
    max_bytes: int = 4 * 1024 * 1024  # of the decompressed body


@dataclass(frozen=True)
class Answer:
    """One HTTP answer, read whole. ``data`` is the decoded JSON (untrusted, any shape) or
    None when the body is not JSON."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    data: Any = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def require_json(self, where: str) -> Any:
        """The decoded body; ``ServerTrouble`` when the server sent something else."""
        if self.data is None:
            raise ServerTrouble(f"{where} sent {describe_body(self)} instead of JSON")
        return self.data


class WebApi:
    """Requests to one network's API. Thread-safe; one pooled client per instance."""

    def __init__(self, where: str, limits: Limits | None = None, user_agent: str = "") -> None:
        self.where = where  # how messages name the network, e.g. "X (api.x.com)"
        self.limits = limits or Limits()
        self.user_agent = user_agent or default_user_agent()
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def _http(self) -> httpx.Client:
        import httpx

        with self._lock:
            if self._client is None:
                limits = self.limits
                self._client = httpx.Client(
                    timeout=httpx.Timeout(limits.read, connect=limits.connect),
                    follow_redirects=False,
                    headers={"User-Agent": self.user_agent, "Accept": "application/json"},
                )
            return self._client

    def send(
        self,
        method: str,
        url: str,
        *,
        doing: str,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
    ) -> Answer:
        """One request, its answer read whole within the limits. Raises ``Unreachable``
        when no connection was made and ``ServerTrouble`` when it broke, timed out, or ran
        over the size limit; an HTTP error status is returned, for the adapter to judge."""
        import httpx

        host = host_of(url)
        deadline = time.monotonic() + self.limits.total
        try:
            with self._http().stream(
                method, url, headers=headers, params=params, json=json_body, data=form
            ) as response:
                body = self._read(response, host, doing, deadline)
                return Answer(response.status_code, response.headers, body, parse_json(body))
        except (httpx.InvalidURL, httpx.UnsupportedProtocol):
            raise Rejected(f"{self.where}: not a usable server address") from None
        except httpx.TransportError as error:
            raise transport_failure(error, host, doing) from None

    def _read(self, response: httpx.Response, host: str, doing: str, deadline: float) -> bytes:
        limit = self.limits.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise ServerTrouble(f"{host} sent an answer over {limit // 1024} KiB while {doing}")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise ServerTrouble(f"{host} sent an answer over {limit // 1024} KiB while {doing}")
            if time.monotonic() > deadline:
                raise ServerTrouble(f"{host} took over {self.limits.total:.0f} s while {doing}")
            chunks.append(chunk)
        if time.monotonic() > deadline:
            raise ServerTrouble(f"{host} took over {self.limits.total:.0f} s while {doing}")
        return b"".join(chunks)


def transport_failure(error: Exception, host: str, doing: str) -> Unreachable | ServerTrouble:
    """No full answer: was anything sent? A refused or unresolvable connection sent
    nothing; a timeout or a connection cut after sending may have been acted on."""
    import httpx

    if isinstance(error, httpx.ConnectTimeout | httpx.PoolTimeout):
        return Unreachable(f"cannot reach {host} (connection timed out); nothing was sent")
    if isinstance(error, httpx.ConnectError):
        text = str(error).lower()
        why = "connection refused" if "refused" in text else "cannot connect"
        if "name" in text or "resolution" in text or "nodename" in text:
            why = "unknown host name"
        return Unreachable(f"cannot reach {host} ({why}); nothing was sent")
    if isinstance(error, httpx.TimeoutException):
        return ServerTrouble(f"{host} did not answer in time while {doing}")
    return ServerTrouble(f"the connection to {host} broke while {doing}")


# -- untrusted JSON -----------------------------------------------------------------------


def parse_json(body: bytes) -> Any:
    """The body as JSON, or None when it is not (HTML, truncated, empty, binary)."""
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


def obj(value: Any, key: str) -> dict[str, Any]:
    """``value[key]`` when both are JSON objects, else an empty one."""
    found = value.get(key) if isinstance(value, dict) else None
    return found if isinstance(found, dict) else {}


def items(value: Any, key: str) -> list[dict[str, Any]]:
    """The objects in the list ``value[key]``; anything else in it is skipped."""
    found = value.get(key) if isinstance(value, dict) else None
    return [x for x in found if isinstance(x, dict)] if isinstance(found, list) else []


def text(value: Any, key: str) -> str:
    """``value[key]`` as text: strings as they are, numbers written out, else ""."""
    found = value.get(key) if isinstance(value, dict) else None
    if isinstance(found, bool) or found is None:
        return ""
    if isinstance(found, int | float | str):
        return str(found)
    return ""


def ident(value: Any, key: str) -> str:
    """An id: ``value[key]`` when it is a non-empty string of safe characters, else "".
    (A number is not taken: X, LinkedIn and Meta all send ids as strings.)"""
    found = value.get(key) if isinstance(value, dict) else None
    if isinstance(found, str) and re.fullmatch(r"[A-Za-z0-9_:.\-]{1,200}", found):
        return found
    return ""


def describe_body(answer: Answer) -> str:
    """What a non-JSON body looks like, for a message."""
    if not answer.body.strip():
        return "an empty answer"
    kind = answer.headers.get("content-type", "").split(";")[0].strip().lower()
    start = answer.body[:256].lstrip().lower()
    if "html" in kind or start.startswith((b"<!doctype", b"<html")):
        return "a web page"
    return "a malformed answer"


def say(words: str, *secrets: str) -> str:
    """A server's words fit for a one-line message: cleaned, short, no secret in them."""
    line = one_line(words, MAX_SAID)
    for secret in secrets:
        if secret and len(secret) >= 4:
            line = line.replace(secret, "***")
    return line


# -- waiting --------------------------------------------------------------------------------


def retry_after_from_rate_headers(
    headers: Mapping[str, str], now: Callable[[], float] = time.time
) -> float | None:
    """Seconds to wait before the next request, from ``Retry-After`` (seconds or an HTTP
    date), else ``x-rate-limit-reset`` (X: epoch seconds), measured against the server's
    ``Date`` when it sent one; None when the headers say nothing usable."""
    server_now = _server_now(headers.get("date", ""), now)
    value = headers.get("retry-after", "").strip()
    if value:
        if _is_number(value):
            return max(0.0, float(value))
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - server_now)
        except (TypeError, ValueError, IndexError):
            pass
    reset = headers.get("x-rate-limit-reset", "").strip()
    if _is_number(reset):
        return max(0.0, float(reset) - server_now)
    return None


def retry_after_from_business_usage(headers: Mapping[str, str]) -> float | None:
    """Seconds from Meta's ``X-Business-Use-Case-Usage`` (JSON: business id → list of
    usages, each with ``estimated_time_to_regain_access`` in minutes): the longest wait."""
    usage = parse_json(headers.get("x-business-use-case-usage", "").encode())
    if not isinstance(usage, dict):
        return None
    minutes = [
        entry.get("estimated_time_to_regain_access")
        for entries in usage.values()
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, dict)
    ]
    found = [m for m in minutes if isinstance(m, int | float) and not isinstance(m, bool)]
    return max(0.0, float(max(found)) * 60) if found else None


def _server_now(date: str, now: Callable[[], float]) -> float:
    if date:
        try:
            return parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError, IndexError):
            pass
    return now()


def _is_number(value: str) -> bool:
    return bool(value) and value.replace(".", "", 1).isdigit()


# -- finding a post that an earlier attempt published -------------------------------------


def attempt_time(details: Mapping[str, Any], now: Callable[[], float] = time.time) -> float:
    """Where a look-up starts: a little before the attempt's time in ``details``
    (``attempted_at``, epoch seconds), or ``FIND_WINDOW`` ago when it was not stored."""
    at = details.get("attempted_at")
    if isinstance(at, int | float) and not isinstance(at, bool) and at > 0:
        return float(at) - FIND_SLACK
    return now() - FIND_WINDOW


def comparable(words: str) -> str:
    """Text as networks give it back, reduced for comparison: HTML entities decoded (X
    escapes & < >), NFC, links as one token (X wraps them in t.co), whitespace folded."""
    words = unicodedata.normalize("NFC", html.unescape(words))
    words = _URL.sub("\x00url", words)
    return " ".join(words.split())


def iso_time(moment: float) -> str:
    """Epoch seconds as RFC 3339 UTC, as X and Meta accept it."""
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: Any) -> float | None:
    """An ISO 8601 time (``Z``, ``+00:00`` or ``+0000``) as epoch seconds, else None."""
    if not isinstance(value, str) or not value:
        return None
    fixed = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", value.replace("Z", "+00:00"))
    try:
        moment = datetime.fromisoformat(fixed)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


# -- addresses --------------------------------------------------------------------------------


def base_url(server: str, default: str, title: str) -> str:
    """The API's base URL: the default when none is given, https assumed, no trailing /."""
    url = (server or default).strip().rstrip("/")
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Rejected(f"not a {title} API address: {one_line(server, 80)!r}")
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def host_of(url: str) -> str:
    return urlsplit(url).netloc or url


def default_user_agent() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"personae/{version('personae')}"
    except PackageNotFoundError:
        return "personae"
