"""A real HTTP server on 127.0.0.1 that answers XRPC GETs as a failing server would: an
error status, a rate limit, broken JSON, a body cut short, or silence."""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # silence before the status line
    truncate: int | None = None  # announce the whole body, send this many bytes, hang up


class FaultServer:
    """Every GET gets ``answer``; ``url`` is the server's address."""

    def __init__(self) -> None:
        self.answer = Answer()
        self.requests: list[str] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                owner.requests.append(self.path)
                answer = owner.answer
                time.sleep(answer.delay)
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(answer.body)))
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if answer.truncate is not None:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # it gave up
                    self.wfile.write(answer.body[: answer.truncate])

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)


def session_for(server: str, handle: str = "alice.test") -> str:
    """A stored session pointing at ``server``, with tokens valid for an hour (the client
    only reads their expiry; this server never checks them)."""
    from atproto_client.client.session import Session

    def token(kind: str) -> str:
        part = lambda data: base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=")  # noqa: E731
        claims = {"scope": kind, "sub": "did:plc:alice", "exp": int(time.time()) + 3600}
        return b".".join([part({"alg": "HS256"}), part(claims), b"c2lnbmF0dXJl"]).decode()

    return Session(
        handle, "did:plc:alice", token("access"), token("refresh"), f"{server}/xrpc"
    ).export()
