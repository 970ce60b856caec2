"""``personae doctor``: check the store, the terminal, the networks and the servers, and say
how to fix what is wrong. One line per check; ``--json`` for scripts.

The doctor changes nothing: it opens the store read-only, and unlocks it (to list accounts
and reach their servers) only when a passphrase is supplied without asking
(``PERSONAE_PASSPHRASE`` or ``--passphrase-file``). It never prints a secret."""

from __future__ import annotations

import http.client
import os
import pwd
import shutil
import socket
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from importlib.metadata import entry_points
from pathlib import Path
from urllib.parse import urlsplit

import sqlite_utils

from personae.networks.registry import GROUP, allowed, loadable
from personae.store import Account, Store, StoreError, files, schema
from personae.store.text import one_line
from personae.tui import config, passphrase
from personae.tui.output import print_json

# Only `personae doctor` imports this module (commands/system.py, when it runs), so it
# imports what its checks need up front.

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"
MIN_COLUMNS, MIN_LINES = 80, 24
TIMEOUT = 3.0


@dataclass(frozen=True)
class Check:
    """One finding: what was checked, how it went, what was seen, and how to fix it."""

    name: str
    status: str  # ok, warn, fail, skip
    detail: str
    fix: str = ""


def run(
    store_dir: Path,
    *,
    json: bool,
    passphrase_file: Path | None = None,
    timeout: float = TIMEOUT,
) -> int:
    """Run every check, print them, and return 1 when one failed, else 0."""
    checks = collect(store_dir, passphrase_file=passphrase_file, timeout=timeout)
    if json:
        print_json([asdict(check) for check in checks])
    else:
        for check in checks:
            print(render(check))
    return 1 if any(check.status == FAIL for check in checks) else 0


def render(check: Check) -> str:
    line = f"{check.name}: {check.detail}"
    if check.fix:
        line += f" — fix: {check.fix}"
    return f"{check.status:<4}  {one_line(line)}"


def collect(
    store_dir: Path, *, passphrase_file: Path | None = None, timeout: float = TIMEOUT
) -> list[Check]:
    store_dir = Path(store_dir).expanduser()
    checks = list(store_checks(store_dir))
    checks += terminal_checks()
    checks += network_checks()
    checks.append(config_check())
    if all(c.status != FAIL for c in checks if c.name.startswith("store")):
        checks += account_checks(store_dir, passphrase_file, timeout)
    return checks


# -- the store ------------------------------------------------------------------------------


def store_checks(store_dir: Path) -> Iterator[Check]:
    db = files.db_path(store_dir)
    if not store_dir.exists() or not db.exists():
        yield Check("store", FAIL, f"no store in {store_dir}", "personae init")
        return
    if not store_dir.is_dir():
        yield Check("store", FAIL, f"{store_dir} is not a directory", "pass --store DIR")
        return
    yield permissions_check(store_dir, files.store_files(store_dir))
    yield schema_check(db)


def permissions_check(store_dir: Path, store_files: list[Path]) -> Check:
    """Directory 0700 and files 0600, all owned by the user running personae."""
    problems, fixes = [], []
    for path, wanted in [(store_dir, 0o700)] + [(p, 0o600) for p in store_files]:
        info = path.stat()
        mode = stat.S_IMODE(info.st_mode)
        if info.st_uid != os.getuid():
            problems.append(f"{path} belongs to uid {info.st_uid}")
            fixes.append(f"use your own store (--store DIR); or as root: chown {_me()} {path}")
        elif mode & 0o077:
            problems.append(f"{path} is mode {mode:04o} (group or others have access)")
            fixes.append(f"chmod {wanted:o} {path}")
    if problems:
        return Check("store permissions", FAIL, "; ".join(problems), "; ".join(fixes))
    names = ", ".join(p.name for p in store_files)
    return Check("store permissions", OK, f"{store_dir} is 0700, {names} 0600, owned by you")


def _me() -> str:
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return str(os.getuid())


def schema_check(db: Path) -> Check:
    """The schema version, read through a read-only connection (nothing is migrated)."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as error:
        return Check("store opens", FAIL, f"cannot open {db}: {error}", "check the file exists")
    try:
        found = schema.version(sqlite_utils.Database(conn))
    except sqlite3.DatabaseError as error:
        return Check(
            "store opens",
            FAIL,
            f"{db} is not a readable SQLite database ({error})",
            "restore it from a backup, or move it away and run personae init",
        )
    finally:
        conn.close()
    if found > schema.LATEST:
        return Check(
            "store opens",
            FAIL,
            f"schema version {found} is newer than this personae ({schema.LATEST})",
            "upgrade personae",
        )
    if found < schema.LATEST:
        return Check(
            "store opens",
            WARN,
            f"schema version {found}; the next command upgrades it to {schema.LATEST}",
            "back up the store first if you may go back to an older personae",
        )
    return Check("store opens", OK, f"schema version {found} (current)")


# -- the terminal ---------------------------------------------------------------------------


def terminal_checks() -> list[Check]:
    return [tty_check(), term_check(), colour_check(), size_check(), encoding_check()]


def tty_check() -> Check:
    if sys.stdout.isatty() and sys.stdin.isatty():
        return Check("terminal", OK, "stdin and stdout are a terminal")
    return Check(
        "terminal",
        WARN,
        "not a terminal: the app needs one (subcommands and cron work without)",
        "over SSH, log in with ssh -t",
    )


def term_check() -> Check:
    """A terminal the app cannot draw on fails; without a terminal (cron) it only warns."""
    term = os.environ.get("TERM", "")
    if not term or term == "dumb":
        status = FAIL if sys.stdout.isatty() else WARN
        detail = f"TERM is {term or 'unset'}: the app cannot draw"
        return Check("TERM", status, detail, "export TERM=xterm-256color")
    return Check("TERM", OK, term)


def colour_check() -> Check:
    """How many colours the app may use; names are always shown as text, so none is fine."""
    if os.environ.get("NO_COLOR"):
        return Check("colours", OK, "NO_COLOR is set: no colours; personas show by name and glyph")
    if os.environ.get("COLORTERM", "").lower() in ("truecolor", "24bit"):
        return Check("colours", OK, "truecolor (COLORTERM)")
    colours = terminal_colours(os.environ.get("TERM", ""))
    if colours is None:
        return Check(
            "colours",
            WARN,
            "unknown: terminfo has no entry for TERM",
            "install ncurses-term, or export TERM=xterm-256color",
        )
    if colours < 8:
        return Check(
            "colours",
            WARN,
            f"{colours} colours: persona colours not shown (names still are)",
            "export TERM=xterm-256color if your terminal supports it",
        )
    if colours < 256:
        return Check(
            "colours",
            OK,
            f"{colours} colours: persona colours approximated; names shown as text",
            "",
        )
    return Check("colours", OK, f"{colours} colours")


def terminal_colours(term: str) -> int | None:
    """The terminfo colour count of ``term`` (``tput colors``), or None when unknown."""
    if not term:
        return None
    tput = shutil.which("tput")
    if tput is not None:
        result = subprocess.run(
            [tput, "-T", term, "colors"], capture_output=True, text=True, timeout=5
        )
        if result.returncode == 0 and result.stdout.strip().lstrip("-").isdigit():
            return max(int(result.stdout.strip()), 0)
        return None
    # No tput: the names carry it often enough.
    if "256color" in term:
        return 256
    return 8 if term.startswith(("xterm", "screen", "tmux", "linux", "vt220")) else None


def size_check() -> Check:
    # The terminal's own size, as the app will get it: COLUMNS/LINES in the environment
    # may be stale (exported by a shell or a test runner), so they are not consulted.
    try:
        size = os.get_terminal_size(sys.stdout.fileno())
    except (OSError, ValueError):
        return Check("terminal size", SKIP, "unknown (not a terminal)")
    if not size.columns or not size.lines:
        return Check("terminal size", SKIP, "unknown (not a terminal)")
    text = f"{size.columns}x{size.lines}"
    if size.columns < MIN_COLUMNS or size.lines < MIN_LINES:
        return Check(
            "terminal size",
            WARN,
            f"{text} is smaller than {MIN_COLUMNS}x{MIN_LINES}",
            f"enlarge the window to at least {MIN_COLUMNS}x{MIN_LINES}",
        )
    return Check("terminal size", OK, text)


def encoding_check() -> Check:
    encoding = (sys.stdout.encoding or "").lower().replace("-", "")
    if encoding == "utf8":
        return Check("encoding", OK, "UTF-8")
    return Check(
        "encoding",
        WARN,
        f"output encoding is {sys.stdout.encoding}: glyphs and names may show as ?",
        "export LANG=C.UTF-8 (ssh does not always pass LANG on)",
    )


# -- networks ---------------------------------------------------------------------------------


def network_checks() -> list[Check]:
    """Which installed networks the allow-list admits, and which of them load."""
    admitted = allowed()
    installed = {point.name.lower() for point in entry_points(group=GROUP)}
    adapters, errors = loadable()
    checks = []
    if admitted is None:
        policy = "all installed networks may load (no PERSONAE_NETWORKS)"
    else:
        names = ", ".join(sorted(admitted))
        barred = ", ".join(sorted(installed - admitted)) or "none"
        policy = f"PERSONAE_NETWORKS allows {names}; not loaded: {barred}"
    status = OK if adapters else FAIL
    loaded = ", ".join(sorted(adapters)) or "none"
    fix = "" if adapters else "set PERSONAE_NETWORKS to installed names, or unset it"
    checks.append(Check("networks", status, f"{loaded} loaded; {policy}", fix))
    for name in sorted((admitted or set()) - installed):
        checks.append(
            Check(
                f"network {name}",
                WARN,
                "named in PERSONAE_NETWORKS but not installed",
                "install its package, or remove it from PERSONAE_NETWORKS",
            )
        )
    for name, message in sorted(errors.items()):
        checks.append(
            Check(
                f"network {name}",
                WARN,
                message,
                "reinstall its package, or leave it out of PERSONAE_NETWORKS",
            )
        )
    return checks


# -- config -------------------------------------------------------------------------------


def config_check() -> Check:
    """The config file binds keys and sets the lock delay: only its owner may change it."""
    path = config.config_path()
    if not path.exists():
        return Check("config", OK, f"no {path}: defaults in use")
    loose = [p for p in (path.parent, path) if _others_can_change(p)]
    if loose:
        paths = " ".join(str(p) for p in loose)
        return Check(
            "config",
            FAIL,
            f"others can change {paths} (not yours, or group/world-writable)",
            f"chmod go-w {paths}",
        )
    problem = config.load(path).problem
    if problem:
        return Check("config", WARN, problem, f"correct or remove {path}")
    return Check("config", OK, f"{path} is writable only by you")


def _others_can_change(path: Path) -> bool:
    info = path.lstat()
    return info.st_uid != os.getuid() or bool(stat.S_IMODE(info.st_mode) & 0o022)


# -- accounts and their servers -----------------------------------------------------------


def account_checks(store_dir: Path, passphrase_file: Path | None, timeout: float) -> list[Check]:
    """Unlock (only with a passphrase given without asking) and try each account's server."""
    try:
        secret = passphrase.given(passphrase_file)
    except StoreError as error:
        return [Check("unlock", FAIL, str(error), f"chmod 600 {passphrase_file}")]
    if secret is None:
        return [
            Check(
                "unlock",
                SKIP,
                "no passphrase given: accounts and servers not checked",
                "",
            )
        ]
    try:
        store = Store.open(store_dir, secret)
    except StoreError as error:
        return [Check("unlock", FAIL, str(error), "check PERSONAE_PASSPHRASE or the file")]
    try:
        names = {p.id: p.name for p in store.personas.list()}
        accounts = store.accounts.list()
    finally:
        store.close()
    summary = f"{_count(len(names), 'persona')}, {_count(len(accounts), 'account')}"
    checks = [Check("unlock", OK, summary)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [
            pool.submit(_account_check, names.get(a.persona_id, "?"), a, timeout) for a in accounts
        ]
        checks += [future.result() for future in futures]
    return checks


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _account_check(persona: str, account: Account, timeout: float) -> Check:
    name = f"account {persona}/{account.handle}"
    where = f"{account.network} server {account.server}"
    if account.paused:
        return Check(
            name,
            WARN,
            f"paused: {account.pause_reason}",
            f"personae account login {persona} {account.handle}",
        )
    problem = reach(account.server, timeout)
    if problem:
        return Check(
            name,
            WARN,
            f"{where} unreachable: {problem}",
            "check the address (personae account list), the network or a proxy",
        )
    return Check(name, OK, f"{where} reachable")


def reach(server: str, timeout: float) -> str:
    """Why ``server`` cannot be reached, or "" when it answers: a folder for the local
    network, an HTTP(S) URL (any HTTP answer to HEAD counts), else a host name on 443."""
    if server.startswith(("/", "~")):
        return _reach_folder(Path(server).expanduser())
    parts = urlsplit(server if "://" in server else f"https://{server}")
    host = parts.hostname or ""
    if not host:
        return "no host in the address"
    if parts.scheme not in ("http", "https"):
        return _reach_tcp(host, parts.port or 443, timeout)
    conn_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    conn = conn_class(host, parts.port, timeout=timeout)
    try:
        conn.request("HEAD", parts.path or "/")
        conn.getresponse().close()
    except (OSError, http.client.HTTPException) as error:
        return _reason(error)
    finally:
        conn.close()
    return ""


def _reach_folder(folder: Path) -> str:
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        return f"{existing} is not a folder you can write to"
    return ""


def _reach_tcp(host: str, port: int, timeout: float) -> str:
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as error:
        return _reason(error)
    return ""


def _reason(error: Exception) -> str:
    if isinstance(error, TimeoutError):
        return "no answer (timed out)"
    text = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return text
