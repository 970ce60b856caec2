"""Where a passphrase comes from: PERSONAE_PASSPHRASE, a private file, or a no-echo prompt."""

from __future__ import annotations

import getpass
import os
import stat
import sys
from pathlib import Path

from personae.store import Invalid

ENV = "PERSONAE_PASSPHRASE"
NEW_ENV = "PERSONAE_NEW_PASSPHRASE"


def from_file(path: Path) -> str:
    """The first line of a file only its owner can read (refused otherwise, as ssh does)."""
    try:
        info = path.stat()
        if stat.S_IMODE(info.st_mode) & 0o077:
            raise Invalid(f"{path} is readable by group or others; fix it with: chmod 600 {path}")
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise Invalid(f"cannot read passphrase file {path}: {error.strerror}") from None
    return text.splitlines()[0] if text else ""


def given(passphrase_file: Path | None) -> str | None:
    """A passphrase supplied without asking, or None."""
    if passphrase_file is not None:
        return from_file(passphrase_file)
    return os.environ.get(ENV)


def ask(prompt: str = "Passphrase: ") -> str:
    """Prompt on the terminal without echo; a clear error when there is no terminal."""
    if not sys.stdin.isatty():
        raise Invalid(f"no passphrase: set {ENV} or use --passphrase-file (no terminal to ask on)")
    try:
        return getpass.getpass(prompt)
    except EOFError:
        raise Invalid("no passphrase given") from None


def existing(passphrase_file: Path | None) -> str:
    """The passphrase of an existing store."""
    supplied = given(passphrase_file)
    return supplied if supplied is not None else ask("Passphrase: ")


def new(passphrase_file: Path | None = None, env: str = ENV) -> str:
    """A new passphrase: supplied, or asked twice."""
    supplied = from_file(passphrase_file) if passphrase_file else os.environ.get(env)
    if supplied is not None:
        if not supplied:
            raise Invalid("the passphrase is empty")
        return supplied
    first = ask("New passphrase: ")
    if len(first) < 8:
        raise Invalid("choose a passphrase of at least 8 characters")
    if ask("Repeat it: ") != first:
        raise Invalid("the two passphrases differ; nothing was changed")
    return first
