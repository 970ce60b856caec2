"""mastodon-mock, a FastAPI double of the Mastodon API, on a free loopback port in its own
process: for the Mastodon adapter's tests, and for drills that run outside pytest.

    with MastodonDouble() as double:
        double.url                          # http://127.0.0.1:<free port>
        double.token("alice")               # a seeded access token
        double.post_as("bob", "hello")      # a status by an account alice follows
        double.count_statuses("alice")      # what alice's account holds
        double.fault("ratelimit", path="/api/v1/statuses", count=1)
        double.reset()                      # back to the seed, faults cleared

Seeded: alice, bob and carol, each with the token ``<name>_token``; alice follows bob, so
bob's statuses (and his boosts) reach alice's home timeline. The double is the released
mastodon-mock unchanged: it keeps Idempotency-Key per account (same key, same status),
rejects over-long statuses with 422 and offers fault injection (forced status, 429 with
Retry-After and X-RateLimit-*, latency, malformed bodies) through ``/api/v1/_mock/faults``.
Its SQLite file and media folder live in a private temporary folder, removed on stop.

Run as a script, this file is the server process itself: it binds a free port, prints it
on stdout, and serves until terminated.
"""

from __future__ import annotations

import collections
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

USERS = ("alice", "bob", "carol")
STARTUP_TIMEOUT = 30.0


class MastodonDouble:
    """The double's process: start, use, stop (also as a context manager)."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[str] | None = None
        self.port = 0
        self._folder = ""
        self._stderr: collections.deque[str] = collections.deque(maxlen=200)
        self._http: httpx.Client | None = None  # one client: a new one per call costs ~0.15 s

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> MastodonDouble:
        self._folder = tempfile.mkdtemp(prefix="mastodon-double-")
        os.chmod(self._folder, 0o700)
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), self._folder],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        try:
            self.port = self._read_port()
            self._http = httpx.Client(base_url=self.url, timeout=10)
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        process, self.process = self.process, None
        if self._http is not None:
            self._http.close()
            self._http = None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if process is not None and process.stdout:
            process.stdout.close()
        if self._folder:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = ""

    def __enter__(self) -> MastodonDouble:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _drain_stderr(self) -> None:
        process = self.process
        if process is None or process.stderr is None:
            return
        for line in process.stderr:  # keep the pipe from filling; keep the tail for errors
            self._stderr.append(line)

    def _read_port(self) -> int:
        assert self.process is not None and self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], STARTUP_TIMEOUT)
        line = self.process.stdout.readline() if ready else ""
        if not line.strip().isdigit():
            raise RuntimeError(f"mastodon-mock did not start: {self._tail()}")
        return int(line)

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"mastodon-mock exited: {self._tail()}")
            try:
                if self._client().get("/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"mastodon-mock never answered /health: {self._tail()}")

    def _client(self) -> httpx.Client:
        if self._http is None:
            raise RuntimeError("the Mastodon double is not running")
        return self._http

    def _tail(self) -> str:
        time.sleep(0.2)  # let the drain thread catch the last words
        return "".join(self._stderr).strip()[-2000:] or "no output"

    # -- the double's API, as a test or drill uses it ---------------------------------------

    @staticmethod
    def token(user: str) -> str:
        return f"{user}_token"

    def request(self, method: str, path: str, user: str | None = None, **kwargs: Any) -> Any:
        """One API call as ``user`` (or anonymous); the decoded JSON answer."""
        headers = kwargs.pop("headers", {})
        if user:
            headers["Authorization"] = f"Bearer {self.token(user)}"
        response = self._client().request(method, path, headers=headers, **kwargs)
        response.raise_for_status()
        return response.json()

    def post_as(self, user: str, text: str, **fields: Any) -> dict:
        """A status by ``user`` (``spoiler_text``, ``visibility``... as the API takes them)."""
        return self.request("POST", "/api/v1/statuses", user, data={"status": text, **fields})

    def boost_as(self, user: str, status_id: str) -> dict:
        return self.request("POST", f"/api/v1/statuses/{status_id}/reblog", user)

    def statuses(self, user: str) -> list[dict]:
        """Every status ``user`` has, newest first, read page by page."""
        me = self.request("GET", "/api/v1/accounts/verify_credentials", user)
        found: list[dict] = []
        params: dict[str, Any] = {"limit": 40}
        while page := self.request(
            "GET", f"/api/v1/accounts/{me['id']}/statuses", user, params=params
        ):
            found += page
            params["max_id"] = page[-1]["id"]
        return found

    def count_statuses(self, user: str) -> int:
        return len(self.statuses(user))

    def fault(
        self,
        effect: str,
        *,
        path: str | None = None,
        methods: list[str] | None = None,
        count: int | None = None,
        **details: Any,
    ) -> str:
        """Add one of the double's fault rules (``status``, ``ratelimit``, ``latency``,
        ``malformed``, ``timeout``; details as ``status``, ``headers``, ``delay_ms``...)."""
        rule = {
            "match": {"path": path, "methods": methods},
            "effect": {"type": effect, **details},
            "count": count,
        }
        return self.request("POST", "/api/v1/_mock/faults", json=rule)["id"]

    def clear_faults(self) -> None:
        self.request("DELETE", "/api/v1/_mock/faults")

    def reset(self) -> None:
        """Back to the seed: every status, app and token made since is gone; faults too."""
        self.request("POST", "/api/v1/_mock/reset")


# -- the server process ---------------------------------------------------------------------


def _serve(folder: str) -> None:
    import uvicorn
    from mastodon_mock.app import create_app
    from mastodon_mock.config import (
        DatabaseConfig,
        MastodonMockConfig,
        SeedAccount,
        SeedConfig,
        SeedFollow,
        StreamingConfig,
    )

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))  # bound here, so no other process can take the port
    listener.listen(128)
    port = listener.getsockname()[1]
    seed = SeedConfig(
        accounts=[
            SeedAccount(username=user, display_name=user.capitalize(), access_token=f"{user}_token")
            for user in USERS
        ],
        follows=[SeedFollow(follower="alice", following="bob")],
    )
    config = MastodonMockConfig(
        domain=f"127.0.0.1:{port}",
        url_scheme="http",
        database=DatabaseConfig(path=str(Path(folder) / "mastodon.sqlite")),
        media_storage_path=str(Path(folder) / "media"),
        streaming=StreamingConfig(enabled=False),
        seed=seed,
    )
    app = create_app(config)
    print(port, flush=True)
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=1)
    )
    server.run(sockets=[listener])


if __name__ == "__main__":
    _serve(sys.argv[1])
