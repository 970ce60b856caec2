"""A small real HTTP server on 127.0.0.1 for feed tests: files, folders and scripted answers.

    with FeedServer() as server:
        server.serve("/feed.xml", Reply(body=xml, etag='"v1"'))
        server.redirect("/old.xml", "/feed.xml", status=301)
        server.url("/feed.xml")              # http://127.0.0.1:<free port>/feed.xml
        server.hits["/feed.xml"]             # requests seen for that path
        server.seen["/feed.xml"][-1]         # headers of the last one

A ``Reply`` can answer 304 to matching validators, wait before answering, trickle its body,
send an endless body, or break off after a part of the body it announced in full.
Unknown paths get 404. Files whose bytes are gzip are sent with ``Content-Encoding: gzip``.
"""

from __future__ import annotations

import contextlib
import mimetypes
import socket
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

GZIP_MAGIC = b"\x1f\x8b"
FEED_TYPES = {
    ".xml": "application/xml",
    ".atom": "application/atom+xml",
    ".rss": "application/rss+xml",
}


@dataclass
class Reply:
    """One scripted answer."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str = ""  # sent, and a matching If-None-Match gets 304
    last_modified: str = ""  # sent, and an equal If-Modified-Since gets 304
    delay: float = 0.0  # seconds of silence before the status line
    trickle: float = 0.0  # seconds between body chunks
    chunk: int = 64 * 1024
    endless: bool = False  # repeat the body until the client hangs up
    truncate: int | None = None  # announce the whole body, send this many bytes, hang up


class FeedServer:
    """A threaded HTTP server on a free loopback port, started and stopped as a context."""

    def __init__(self) -> None:
        self.routes: dict[str, Reply] = {}
        self.folders: dict[str, Path] = {}
        self.hits: Counter[str] = Counter()
        self.seen: defaultdict[str, list[dict[str, str]]] = defaultdict(list)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._httpd = _Server(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._serve, name="feed-server", daemon=True)

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self, path: str, reply: Reply) -> str:
        """Answer GETs of ``path`` with ``reply``; returns the full URL."""
        self.routes[path] = reply
        return self.url(path)

    def serve_file(self, path: str, file: Path, **options) -> str:
        body = file.read_bytes()
        options.setdefault("content_type", _content_type(file))
        if body.startswith(GZIP_MAGIC):
            options["headers"] = {"Content-Encoding": "gzip", **options.get("headers", {})}
        return self.serve(path, Reply(body=body, **options))

    def mount(self, prefix: str, folder: Path) -> str:
        """Serve the files under ``folder`` at ``prefix`` + their relative path."""
        self.folders[prefix.rstrip("/") + "/"] = folder.resolve()
        return self.url(prefix.rstrip("/") + "/")

    def redirect(self, path: str, target: str, status: int = 301) -> str:
        location = target if "://" in target else self.url(target)
        return self.serve(path, Reply(status=status, headers={"Location": location}))

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and hang up on open connections too: a stopped server must not
        go on answering over a client's kept-alive connection."""
        self._stopping.set()
        if self._thread.is_alive():
            self._httpd.shutdown()
        self._httpd.server_close()
        with self._lock:
            open_now = list(self._connections)
        for connection in open_now:
            with contextlib.suppress(OSError):  # already closed by its handler
                connection.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=5)

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self) -> None:
        self._httpd.serve_forever(poll_interval=0.05)

    def _opened(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.add(connection)

    def _closed(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.discard(connection)

    def _record(self, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self.hits[path] += 1
            self.seen[path].append(headers)

    def _find(self, path: str) -> Reply | None:
        if path in self.routes:
            return self.routes[path]
        for prefix, folder in self.folders.items():
            if path.startswith(prefix):
                file = (folder / path[len(prefix) :]).resolve()
                if file.is_file() and file.is_relative_to(folder):
                    body = file.read_bytes()
                    extra = {"Content-Encoding": "gzip"} if body.startswith(GZIP_MAGIC) else {}
                    return Reply(body=body, content_type=_content_type(file), headers=extra)
        return None


def _content_type(file: Path) -> str:
    return FEED_TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "text/plain"


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], OSError):  # a client hanging up is no news
            super().handle_error(request, client_address)


def _handler_for(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        owner = server

    return Handler


class _Handler(BaseHTTPRequestHandler):
    owner: FeedServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm the body would
    # wait for the client's delayed ACK, 40 ms a request.
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        self.owner._opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.owner._closed(self.connection)

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        pass  # tests read hits and seen, not a log

    def _answer(self, send_body: bool) -> None:
        path = urlsplit(self.path).path
        self.owner._record(path, {k.lower(): v for k, v in self.headers.items()})
        reply = self.owner._find(path)
        if reply is None:
            reply = Reply(status=404, body=b"not found", content_type="text/plain")
        if reply.delay:
            time.sleep(reply.delay)
        if self._unchanged(reply):
            self._head(304, reply, length=None)
            return
        body = reply.body if send_body else b""
        if reply.endless:
            self._head(reply.status, reply, length=None, close=True)
            self._stream_forever(body or b"x" * reply.chunk, reply)
            return
        self._head(reply.status, reply, length=len(reply.body), close=reply.truncate is not None)
        if reply.truncate is not None:
            body = body[: reply.truncate]
        self._send(body, reply)

    def _unchanged(self, reply: Reply) -> bool:
        if reply.status != 200:
            return False
        match = reply.etag and self.headers.get("If-None-Match") == reply.etag
        since = reply.last_modified and self.headers.get("If-Modified-Since") == reply.last_modified
        return bool(match or since)

    def _head(self, status: int, reply: Reply, length: int | None, close: bool = False) -> None:
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", reply.content_type)
        if reply.etag:
            self.send_header("ETag", reply.etag)
        if reply.last_modified:
            self.send_header("Last-Modified", reply.last_modified)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if length is not None:
            self.send_header("Content-Length", str(length))
        elif status != 304:
            close = True  # no length: the end of the body is the end of the connection
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()

    def _send(self, body: bytes, reply: Reply) -> None:
        try:
            for start in range(0, len(body), reply.chunk):
                if start and reply.trickle:
                    time.sleep(reply.trickle)
                self.wfile.write(body[start : start + reply.chunk])
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up, as it may

    def _stream_forever(self, body: bytes, reply: Reply) -> None:
        try:
            while not self.owner._stopping.is_set():
                self.wfile.write(body)
                self.wfile.flush()
                if reply.trickle:
                    time.sleep(reply.trickle)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client hung up: what an endless body is for
