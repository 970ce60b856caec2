"""What the local doubles of X, LinkedIn, Facebook and Threads share: a threaded HTTP
server on a free 127.0.0.1 port, started and stopped as a context manager, a route table,
a log of the requests it saw, and fault injection.

    with SomeDouble() as double:
        double.url                                   # http://127.0.0.1:<port>
        double.fault("lost", method="POST", path="/2/tweets")   # commit, then hang up
        double.fault("ratelimit", wait=90)           # 429 with the network's reset headers
        double.fault("expired")                      # the network's expired-token answer
        double.fault("duplicate")                    # the network's duplicate-post answer
        double.fault("error", status=503, commit=True)   # a 5xx after the post was made
        double.fault("slow", delay=2.0)              # commit, then answer late
        double.fault("reply", reply=Reply(...))      # any rude answer (HTML, truncated...)
        double.count_posts("alice")                  # posts the account holds

A fault matches by method and a path regular expression (either may be omitted), fires
``count`` times (None: until cleared), and is consumed in the order added.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    """One request as the double received it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names in lower case
    body: bytes = b""

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def form(self) -> dict[str, str]:
        if "json" in self.headers.get("content-type", ""):
            found = self.json()
            return {k: str(v) for k, v in found.items()} if isinstance(found, dict) else {}
        return {k: v[-1] for k, v in parse_qs(self.body.decode("utf-8", "replace")).items()}

    def bearer(self) -> str:
        scheme, _, token = self.headers.get("authorization", "").partition(" ")
        return token.strip() if scheme.lower() in ("bearer", "oauth") else ""


@dataclass
class Reply:
    """One answer. ``body`` that is not bytes is sent as JSON."""

    status: int = 200
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"
    truncate: int | None = None  # announce the whole body, send this many bytes, hang up

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode()


@dataclass
class Fault:
    kind: str
    method: str | None = None
    path: str | None = None
    count: int | None = 1
    status: int = 503
    delay: float = 0.0
    wait: int = 60  # seconds a rate limit lasts
    commit: bool = False  # "error": make the post first, then fail
    reply: Reply | None = None

    def matches(self, request: Request) -> bool:
        if self.method and self.method.upper() != request.method:
            return False
        return not self.path or re.fullmatch(self.path, request.path) is not None


Route = tuple[str, re.Pattern[str], Callable[..., Reply]]
FAULT_KINDS = {"lost", "ratelimit", "expired", "duplicate", "error", "slow", "reply"}


class ApiDouble:
    """A network's API on loopback. Subclasses add routes and the network's own answers
    for faults (``fault_reply``), and say how many posts an account has."""

    name = "api"

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.faults: list[Fault] = []
        self.seen: list[Request] = []
        self.routes: list[Route] = []
        self._connections: set[socket.socket] = set()
        self._httpd = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._serve, name=f"{self.name}-double")

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ApiDouble:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._httpd.shutdown()
        self._httpd.server_close()
        with self.lock:
            open_now = list(self._connections)
        for connection in open_now:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=5)

    def __enter__(self) -> ApiDouble:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self) -> None:
        self._httpd.serve_forever(poll_interval=0.05)

    # -- what tests use ---------------------------------------------------------------------

    def route(self, method: str, pattern: str, handler: Callable[..., Reply]) -> None:
        """``handler(request, *groups)`` answers ``method`` on paths matching ``pattern``."""
        self.routes.append((method, re.compile(pattern), handler))

    def fault(self, kind: str, **options: Any) -> Fault:
        if kind not in FAULT_KINDS:
            raise ValueError(f"no fault called {kind!r}; have {sorted(FAULT_KINDS)}")
        rule = Fault(kind, **options)
        with self.lock:
            self.faults.append(rule)
        return rule

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def requests_to(self, path: str, method: str | None = None) -> list[Request]:
        """The requests seen whose path matches the regular expression ``path``."""
        with self.lock:
            return [
                r
                for r in self.seen
                if re.fullmatch(path, r.path) and (method is None or r.method == method)
            ]

    def reset(self) -> None:
        """Forget faults and the request log; subclasses also go back to their seed."""
        with self.lock:
            self.faults.clear()
            self.seen.clear()

    def count_posts(self, account: str) -> int:
        raise NotImplementedError

    # -- answering --------------------------------------------------------------------------

    def fault_reply(self, fault: Fault, request: Request) -> Reply:
        """The network's own answer for ``ratelimit``, ``expired``, ``duplicate``, ``error``."""
        raise NotImplementedError

    def check(self, request: Request, reply: Reply) -> None:
        """Hook: validate a request and its answer (X's double checks its OpenAPI spec)."""

    def dispatch(self, request: Request) -> Reply:
        for method, pattern, handler in self.routes:
            match = pattern.fullmatch(request.path)
            if match and method == request.method:
                return handler(request, *match.groups())
        return self.not_found(request)

    def not_found(self, request: Request) -> Reply:
        return Reply(404, {"error": f"no route for {request.method} {request.path}"})

    def _take_fault(self, request: Request) -> Fault | None:
        with self.lock:
            for rule in self.faults:
                if rule.matches(request):
                    if rule.count is not None:
                        rule.count -= 1
                        if rule.count <= 0:
                            self.faults.remove(rule)
                    return rule
        return None

    def answer(self, request: Request) -> tuple[Reply | None, float]:
        """The reply (None: hang up without one) and the seconds to wait before sending."""
        with self.lock:
            self.seen.append(request)
        rule = self._take_fault(request)
        if rule is None:
            return self._checked(request, self.dispatch(request)), 0.0
        if rule.kind == "lost":
            self.dispatch(request)  # the server commits; the answer never leaves
            return None, 0.0
        if rule.kind == "slow":
            return self._checked(request, self.dispatch(request)), rule.delay
        if rule.kind == "reply":
            return rule.reply or Reply(), rule.delay
        if rule.kind == "error" and rule.commit:
            self.dispatch(request)
        return self._checked(request, self.fault_reply(rule, request)), rule.delay

    def _checked(self, request: Request, reply: Reply) -> Reply:
        self.check(request, reply)
        return reply


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a timeout test) is no error worth a traceback."""


def _handler_for(double: ApiDouble) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            with double.lock:
                double._connections.add(self.connection)

        def finish(self) -> None:
            with contextlib.suppress(OSError):
                super().finish()
            with double.lock:
                double._connections.discard(self.connection)

        def _any(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request(
                method=self.command,
                path=parts.path,
                query={k: v[-1] for k, v in parse_qs(parts.query).items()},
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            reply, delay = double.answer(request)
            if delay:
                time.sleep(delay)
            if reply is None:
                self._hang_up()
                return
            self._send(reply)

        do_GET = do_POST = do_DELETE = do_PUT = _any

        def _send(self, reply: Reply) -> None:
            body = reply.encoded()
            self.send_response(reply.status)
            if reply.content_type:
                self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if reply.truncate is not None:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body[: reply.truncate] if reply.truncate is not None else body)

        def _hang_up(self) -> None:
            """Close without a word: a reset, as a crashed proxy or a lost network does."""
            self.close_connection = True
            with contextlib.suppress(OSError):
                linger = struct.pack("ii", 1, 0)  # on, 0 s: close with a reset
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                self.connection.shutdown(socket.SHUT_RDWR)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def now_ms() -> int:
    return int(time.time() * 1000)
