"""Where a passphrase comes from: PERSONAE_PASSPHRASE, a private file, or a no-echo prompt.

A new passphrase (``init``, ``passwd``) has at least ``MIN_LENGTH`` characters however it is
given; an empty one given to unlock is called empty, never wrong."""

from __future__ import annotations

import getpass
import os
import stat
import sys
from pathlib import Path

from personae.store import Invalid

ENV = "PERSONAE_PASSPHRASE"
NEW_ENV = "PERSONAE_NEW_PASSPHRASE"  # passwd's new passphrase, for scripts
MIN_LENGTH = 8


def from_file(path: Path) -> str:
    """The first line of a file only its owner can read (refused otherwise, as ssh does)."""
    try:
        info = path.stat()
        if stat.S_IMODE(info.st_mode) & 0o077:
            raise Invalid(f"{path} is readable by group or others; fix it with: chmod 600 {path}")
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise Invalid(f"cannot read passphrase file {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise Invalid(f"passphrase file {path} is not UTF-8 text") from None
    return text.splitlines()[0] if text else ""


def given(passphrase_file: Path | None) -> str | None:
    """A passphrase supplied without asking, or None; an empty one is refused."""
    supplied, source = _supplied(passphrase_file, ENV)
    if supplied == "":
        raise Invalid(f"empty passphrase: {source} is empty")
    return supplied


def _supplied(passphrase_file: Path | None, env: str) -> tuple[str | None, str]:
    """The passphrase from the file, else from the environment variable ``env``; and where
    it came from, for messages."""
    if passphrase_file is not None:
        return from_file(passphrase_file), f"the first line of {passphrase_file}"
    return os.environ.get(env), env


def ask(prompt: str = "Passphrase: ", how: str = f"set {ENV} or use --passphrase-file") -> str:
    """Prompt on the terminal without echo; without a terminal, say ``how`` to give it."""
    if not sys.stdin.isatty():
        raise Invalid(f"no passphrase: {how} (no terminal to ask on)")
    try:
        return getpass.getpass(prompt)
    except EOFError:
        raise Invalid("no passphrase given") from None


def existing(passphrase_file: Path | None) -> str:
    """The passphrase of an existing store."""
    supplied = given(passphrase_file)
    return supplied if supplied is not None else ask("Passphrase: ")


def new(passphrase_file: Path | None = None, env: str = ENV) -> str:
    """A new passphrase: supplied (by the file, else ``env``), or asked twice."""
    supplied, source = _supplied(passphrase_file, env)
    if supplied is not None:
        return _long_enough(supplied, f" (the one in {source} is shorter)")
    how = f"set {env}" if env != ENV else f"set {ENV} or use --passphrase-file"
    first = _long_enough(ask("New passphrase: ", how), "")
    if ask("Repeat it: ", how) != first:
        raise Invalid("the two passphrases differ; nothing was changed")
    return first


def _long_enough(candidate: str, source: str) -> str:
    if len(candidate) < MIN_LENGTH:
        raise Invalid(f"choose a passphrase of at least {MIN_LENGTH} characters{source}")
    return candidate
