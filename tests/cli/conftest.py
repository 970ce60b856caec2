"""The installed ``personae`` command, run as a user would: a subprocess with its own HOME,
a private TMPDIR, and the store in a real SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from personae.store import KdfParams, Store
from tests.cli.terminal import Session, run_on_terminal
from tests.conftest import PASSPHRASE

PERSONAE = Path(sys.executable).with_name("personae")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


class Cli:
    """Runs ``personae --store DIR ...`` with the passphrase in the environment."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.store_dir = home / "store"
        self.tmp = home / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local/share"),
            "TMPDIR": str(self.tmp),
            "PERSONAE_PASSPHRASE": PASSPHRASE,
            "LANG": "C.UTF-8",
        }

    def command(self, *args: str) -> list[str]:
        return [str(PERSONAE), "--store", str(self.store_dir), *args]

    def __call__(self, *args: str, input: str | bytes | None = None, **env: str) -> Result:
        """Run with stdin and stdout as pipes, as a script would; ``input`` (text, or any
        bytes) is all stdin holds."""
        data = input.encode() if isinstance(input, str) else input
        done = subprocess.run(
            self.command(*args),
            input=data or b"",
            capture_output=True,
            env={**self.env, **env},
            timeout=60,
        )
        return Result(done.returncode, done.stdout.decode(), done.stderr.decode())

    def on_terminal(self, *args: str, answer: tuple[str, str] | None = None, **env: str) -> Session:
        """Run on a pseudo-terminal, as a person would; see ``run_on_terminal``."""
        return run_on_terminal(self.command(*args), {**self.env, **env}, answer=answer)

    def ok(self, *args: str, **kwargs) -> Result:
        result = self(*args, **kwargs)
        assert result.code == 0, f"personae {' '.join(args)} failed: {result.err}"
        assert "Traceback" not in result.err
        return result

    def fails(self, *args: str, **kwargs) -> Result:
        result = self(*args, **kwargs)
        assert result.code != 0, f"personae {' '.join(args)} should fail: {result.out}"
        assert "Traceback" not in result.err
        lines = [line for line in result.err.splitlines() if line.startswith("personae: ")]
        assert lines, f"no one-line error on stderr: {result.err!r}"
        return result


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """A CLI on a new store (cheap KDF parameters, stored in the store as real ones are)."""
    runner = Cli(tmp_path)
    Store.create(runner.store_dir, PASSPHRASE, kdf=KdfParams.cheap()).close()
    return runner


@pytest.fixture
def two(cli: Cli) -> Cli:
    """Work (with a local publishing target) and Family personas. Set up through the
    library, as ``persona add`` and ``account add`` would (their own tests run them): a
    command costs a process start, and most tests need this state before they begin."""
    from personae.networks.accounts import add_account

    target = str(cli.home / "published")
    with Store.open(cli.store_dir, PASSPHRASE) as store:
        work = store.personas.add("Work", colour="blue", glyph="W")
        family = store.personas.add("Family", colour="orange", glyph="F")
        add_account(store, work, "local", "dan@acme", target)
        add_account(store, family, "local", "dan.cookies", target)
    return cli
