"""A real team box for tests: Debian's sshd on a free loopback port, with its own host key
and config, and Unix users created for the test who log in with their own keys.

Everything lives in one private directory (sshd's files, the users' homes, a Python
environment the users can run ``personae`` from) and is removed afterwards, users included.
Needs root (useradd, sshd); ``require`` skips without it locally and fails in CI."""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.ports import free_port
from tests.support.prereqs import require, require_tool

SSHD = "/usr/sbin/sshd"
PRIVSEP_DIR = Path("/run/sshd")  # sshd refuses to start without it; Debian's service makes it
PROJECT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class BoxUser:
    """A Unix user created for the test, and the client key it logs in with."""

    name: str
    uid: int
    home: Path
    key: Path  # the private key, held by the test (root), never by the user


class TeamBox:
    """sshd plus users. Use ``team_box()``; then ``ssh_argv``/``run`` log in as a user."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.users: list[BoxUser] = []
        self.bin_dir = root / "python" / "bin"  # ``personae`` for every user
        self._sshd: subprocess.Popen | None = None
        self._made_privsep = False

    # -- logging in ----------------------------------------------------------------------

    def ssh_argv(self, user: BoxUser, command: str, *, tty: bool = False) -> list[str]:
        """The ssh client command line that runs ``command`` (a shell string) as ``user``."""
        return [
            "ssh",
            "-F",
            "/dev/null",
            "-i",
            str(user.key),
            "-p",
            str(self.port),
            "-o",
            f"UserKnownHostsFile={self.root / 'client' / 'known_hosts'}",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "LogLevel=ERROR",
            "-o",
            "SendEnv=NO_COLOR COLORTERM",
            "-tt" if tty else "-T",
            f"{user.name}@127.0.0.1",
            command,
        ]

    def run(
        self, user: BoxUser, command: str, *, timeout: float = 60, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run ``command`` as ``user`` over ssh (no terminal); output captured as text."""
        return subprocess.run(
            self.ssh_argv(user, command),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=None if stdin is not None else subprocess.DEVNULL,
        )

    def tmp_entries(self) -> set[str]:
        """Entries in the shared temporary folders that belong to one of the test users."""
        uids = {user.uid for user in self.users}
        found = set()
        for folder in (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm")):
            with contextlib.suppress(OSError):
                for entry in folder.iterdir():
                    with contextlib.suppress(OSError):
                        if entry.lstat().st_uid in uids:
                            found.add(str(entry))
        return found

    # -- setting up ----------------------------------------------------------------------

    def start(self, users: int) -> None:
        self._python_for_everyone()
        client = self.root / "client"
        client.mkdir(mode=0o700)
        keys = self.root / "authorized_keys"
        keys.mkdir(mode=0o755)
        for _ in range(users):
            self.users.append(self._add_user(client, keys))
        self._start_sshd(keys)

    def _add_user(self, client: Path, keys: Path) -> BoxUser:
        name = f"pt_{secrets.token_hex(4)}"
        home = self.root / "home" / name
        home.parent.mkdir(mode=0o711, exist_ok=True)
        subprocess.run(
            ["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash", name],
            check=True,
            capture_output=True,
        )
        # '*' is no password, but not a locked account (sshd without PAM refuses '!').
        subprocess.run(["usermod", "-p", "*", name], check=True, capture_output=True)
        # 0755, as useradd leaves it with Debian's UMASK 022: so a refusal to read another
        # user's store comes from personae's own 0700/0600, not from the home directory.
        os.chmod(home, 0o755)
        key = client / name
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)],
            check=True,
        )
        authorized = keys / name
        shutil.copyfile(key.with_suffix(".pub"), authorized)
        os.chmod(authorized, 0o644)
        return BoxUser(name=name, uid=pwd.getpwnam(name).pw_uid, home=home, key=key)

    def _start_sshd(self, keys: Path) -> None:
        folder = self.root / "sshd"
        folder.mkdir(mode=0o700)
        host_key = folder / "host_ed25519"
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key)], check=True
        )
        host_pub = host_key.with_suffix(".pub").read_text().split()[:2]
        (self.root / "client" / "known_hosts").write_text(
            f"[127.0.0.1]:{self.port} {' '.join(host_pub)}\n"
        )
        path = f"{self.bin_dir}:/usr/local/bin:/usr/bin:/bin"
        config = folder / "sshd_config"
        config.write_text(
            "\n".join(
                [
                    f"Port {self.port}",
                    "ListenAddress 127.0.0.1",
                    f"HostKey {host_key}",
                    f"PidFile {folder / 'sshd.pid'}",
                    f"AuthorizedKeysFile {keys}/%u",
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "UsePAM no",
                    # The box lives under /tmp (mode 1777), which StrictModes would reject.
                    "StrictModes no",
                    "PermitRootLogin no",
                    f"AllowUsers {' '.join(u.name for u in self.users)}",
                    "AllowTcpForwarding no",
                    "X11Forwarding no",
                    "PrintMotd no",
                    "PrintLastLog no",
                    "AcceptEnv NO_COLOR COLORTERM",
                    f"SetEnv PATH={path} LANG=C.UTF-8",
                    "",
                ]
            )
        )
        if not PRIVSEP_DIR.exists():
            PRIVSEP_DIR.mkdir(mode=0o755)
            self._made_privsep = True
        log = (folder / "sshd.log").open("w")
        self._sshd = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        self._wait_for_banner(folder / "sshd.log")

    def _wait_for_banner(self, log: Path) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._sshd is not None and self._sshd.poll() is not None:
                raise RuntimeError(f"sshd exited: {log.read_text().strip()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock,
            ):
                if sock.recv(64).startswith(b"SSH-2.0"):
                    return
            time.sleep(0.05)
        raise RuntimeError(f"sshd did not answer on port {self.port}: {log.read_text()}")

    def _python_for_everyone(self) -> None:
        """A virtual environment the test users can run: the project's own packages seen
        through a .pth file, on an interpreter every user may execute. The project venv's
        interpreter is often a link into /root (mode 0700), so that one may not do."""
        version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        candidates = [Path(sys._base_executable).resolve(), Path("/usr/bin") / version]
        python = next((p for p in candidates if p.exists() and world_can_run(p)), None)
        require(python is not None, f"no {version} that other users may run (Debian python3)")
        env = self.root / "python"
        subprocess.run(
            [str(python), "-m", "venv", "--without-pip", str(env)], check=True, timeout=60
        )
        site_dir = env / "lib" / version / "site-packages"
        packages = Path(sysconfig.get_paths()["purelib"])
        if not (world_can_read(packages) and world_can_read(PROJECT)):
            packages = self._copy_packages(packages, env / "shared-site")
        (site_dir / "personae-shared.pth").write_text(
            f"import site; site.addsitedir({str(packages)!r})\n"
        )
        script = env / "bin" / "personae"
        main = "import sys\nfrom personae.tui.cli import main\nsys.exit(main())\n"
        script.write_text(f"#!{env / 'bin' / 'python'}\n{main}")
        os.chmod(script, 0o755)
        for path in (self.root, env):
            os.chmod(path, 0o711 if path == self.root else 0o755)

    @staticmethod
    def _copy_packages(packages: Path, target: Path) -> Path:
        """A world-readable copy of the installed packages and of the project's own, for a
        checkout other users cannot read (e.g. under /root). Compiled .pyc files come along,
        so the users' commands start as fast as ours (measured here: 4-9 s for 265 MB)."""
        shutil.copytree(
            packages,
            target,
            symlinks=True,
            ignore=lambda _dir, names: [n for n in names if n.startswith("__editable__")],
        )
        for name in ("store", "networks", "tui"):  # installed as personae.store, ...
            shutil.copytree(PROJECT / name, target / "personae" / name)
        subprocess.run(["chmod", "-R", "a+rX", str(target)], check=True)
        return target

    # -- tearing down --------------------------------------------------------------------

    def close(self) -> None:
        for user in self.users:
            stop_processes_of(user.uid)
        if self._sshd is not None:
            self._sshd.terminate()
            try:
                self._sshd.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._sshd.kill()
                self._sshd.wait()
        for user in self.users:
            subprocess.run(["userdel", "--remove", user.name], capture_output=True)
        if self._made_privsep:
            shutil.rmtree(PRIVSEP_DIR, ignore_errors=True)


def stop_processes_of(uid: int) -> None:
    """End every process of a test user (they are all the test's), each by its pid."""
    for sig in (signal.SIGHUP, signal.SIGTERM, signal.SIGKILL):
        pids = processes_of(uid)
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + 3
        while processes_of(uid) and time.monotonic() < deadline:
            time.sleep(0.05)


def processes_of(uid: int) -> dict[int, str]:
    """The processes running as ``uid``: pid → command line (read from /proc, no ps)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if entry.stat().st_uid == uid:
                args = (entry / "cmdline").read_bytes().split(b"\0")
                found[int(entry.name)] = " ".join(a.decode(errors="replace") for a in args if a)
    return found


def world_can_run(path: Path) -> bool:
    """Whether a user with no special rights may execute ``path`` (every folder up to it
    searchable by others, the file executable by others)."""
    return _world_reaches(path) and bool(path.stat().st_mode & stat.S_IXOTH)


def world_can_read(path: Path) -> bool:
    return _world_reaches(path) and bool(path.stat().st_mode & stat.S_IROTH)


def _world_reaches(path: Path) -> bool:
    path = path.resolve()
    return all(parent.stat().st_mode & stat.S_IXOTH for parent in path.parents)


@contextlib.contextmanager
def team_box(users: int = 2) -> Iterator[TeamBox]:
    """A running sshd with ``users`` fresh Unix users; everything removed afterwards."""
    require(os.geteuid() == 0, "the team-box test creates Unix users: run it as root")
    require(Path(SSHD).exists(), "sshd not installed (Debian package openssh-server)")
    require_tool("ssh", "openssh-client")
    require_tool("useradd", "passwd")
    # What the users must read (keys, the Python env) is made under the usual umask, not
    # under one an earlier in-process ``personae`` call left (it sets 077 for itself).
    umask = os.umask(0o022)
    root = Path(tempfile.mkdtemp(prefix="pt-teambox-"))
    box = TeamBox(root)
    try:
        box.start(users)
        yield box
    finally:
        box.close()
        shutil.rmtree(root, ignore_errors=True)
        os.umask(umask)


def shell(*words: str | Path) -> str:
    """A command line for the remote shell, each word quoted."""
    return " ".join(shlex.quote(str(word)) for word in words)
