"""What a command reads from its user: text from an argument or stdin, a secret, a yes.

Scripts give everything without a terminal (stdin, ``--yes``); on a terminal personae asks,
on stderr, so stdout stays data. Bytes that are not UTF-8 are refused with one line, never
stored or sent."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from personae.store import Invalid
from personae.tui import passphrase

if TYPE_CHECKING:
    from personae.networks import Capabilities


def text_argument(value: str) -> str:
    """A post's or draft's text: ``value``, or stdin when it is ``-`` (one trailing newline
    dropped, as every shell and editor ends a file with one)."""
    text = stdin_text().removesuffix("\n") if value == "-" else value
    if not text.strip():
        raise Invalid("the text is empty")
    return text


def stdin_text() -> str:
    """All of stdin, which must be UTF-8."""
    return _decoded(sys.stdin.buffer.read())


def stdin_line() -> str:
    """The first line of stdin, without its line end."""
    return _decoded(sys.stdin.buffer.readline()).rstrip("\r\n")


def _decoded(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Invalid(f"stdin is not UTF-8 text (byte {error.start + 1}); nothing saved") from None


def secret_for(capabilities: Capabilities, handle: str) -> str:
    """The account's secret: asked without echo on a terminal, else stdin's first line."""
    if not capabilities.needs_secret:
        return ""
    if sys.stdin.isatty():
        return passphrase.ask(f"{capabilities.secret_label.capitalize()} for {handle}: ")
    secret = stdin_line()
    if not secret:
        raise Invalid(f"no {capabilities.secret_label} on stdin")
    return secret


def authorization_code() -> str:
    """The code the authorization page showed, pasted by the user (or piped in)."""
    code = passphrase.ask("Code: ") if sys.stdin.isatty() else stdin_line()
    if not code.strip():
        raise Invalid("no authorization code given; nothing saved")
    return code.strip()


def confirm(command: str, question: str, *, yes: bool, type_to_confirm: str = "") -> None:
    """Go on only when ``--yes`` was given or the user agrees on the terminal: by typing
    ``type_to_confirm`` when there is one, else by answering y. Otherwise raise, so that
    nothing is deleted; without a terminal that means ``command`` needs ``--yes``."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise Invalid(f"not deleted: {command} needs --yes when there is no terminal to ask on")
    if type_to_confirm:
        agreed = _answer(f"{question} Type {type_to_confirm!r} to confirm: ") == type_to_confirm
    else:
        agreed = _answer(f"{question} [y/N] ").lower() in ("y", "yes")
    if not agreed:
        raise Invalid("not deleted")


def _answer(question: str) -> str:
    sys.stderr.write(question)
    sys.stderr.flush()
    return _decoded(sys.stdin.buffer.readline()).strip()
