"""The ``personae`` command line: the app by default, and subcommands for scripts and cron.

Data goes to stdout (``--json`` for every list), errors to stderr as one line each, and
the exit status is non-zero on failure. No traceback reaches the user."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from personae.networks.errors import NetworkError
from personae.store import Invalid, StoreError
from personae.tui import commands, passphrase

PROG = "personae"
MAX_ID = 2**63 - 1  # SQLite's largest integer
MAX_LIMIT = 100_000


class Parser(argparse.ArgumentParser):
    """argparse, whose usage errors are one line like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{PROG}: {message} (see {self.prog} --help)\n")


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``, else a usage error."""

    def number(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not a number from {low} to {high}")
        return value

    return number


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG,
        description="Keep your online identities apart: one encrypted store, one persona "
        "at a time. Without a command, starts the app.",
    )
    parser.add_argument("--store", type=Path, metavar="DIR", help="the store's directory")
    parser.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="FILE",
        help="read the passphrase from FILE (mode 600) instead of asking",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start the app on a throwaway demo store (no account, no network)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("init", help="create a new store")

    persona = sub.add_parser("persona", help="add, list, change or remove personas")
    psub = persona.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = psub.add_parser("add", help="add a persona")
    add.add_argument("name")
    _appearance(add)
    add.add_argument("--send-delay", type=int, metavar="SECONDS", default=0)
    _json(psub.add_parser("list", help="list personas"))
    rename = psub.add_parser("rename", help="rename a persona")
    rename.add_argument("old")
    rename.add_argument("new")
    change = psub.add_parser("set", help="change a persona's colour, glyph, delay or key")
    change.add_argument("name")
    _appearance(change)
    change.add_argument(
        "--send-delay",
        type=int,
        metavar="SECONDS",
        help="seconds a queued post waits, so it can be cancelled",
    )
    change.add_argument("--position", type=int, metavar="N", help="switch key 1-9")
    remove = psub.add_parser("rm", help="delete a persona and everything it holds")
    remove.add_argument("name")
    _yes(remove)

    account = sub.add_parser("account", help="add, list or remove accounts")
    asub = account.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = asub.add_parser(
        "add", help="add an account (the secret is read from stdin or asked without echo)"
    )
    add.add_argument("persona")
    add.add_argument("network")
    add.add_argument("--handle", help="required, except with --oauth (the server names it)")
    add.add_argument("--server", metavar="URL")
    add.add_argument("--no-verify", action="store_true", help="save without logging in")
    add.add_argument(
        "--oauth",
        action="store_true",
        help="Mastodon: authorize in a browser and paste the code, instead of a token",
    )
    listing = asub.add_parser("list", help="list accounts")
    listing.add_argument("persona", nargs="?")
    _json(listing)
    remove = asub.add_parser("rm", help="remove an account")
    remove.add_argument("persona")
    remove.add_argument("handle")
    _yes(remove)
    login = asub.add_parser("login", help="enter a new secret, verify it, resume publishing")
    login.add_argument("persona")
    login.add_argument("handle")

    feed = sub.add_parser("feed", help="add, list, remove or enable feeds")
    fsub = feed.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = fsub.add_parser("add", help="add a feed, once its address answers with one")
    add.add_argument("persona")
    add.add_argument("url")
    add.add_argument("--no-verify", action="store_true", help="save without fetching it")
    listing = fsub.add_parser("list", help="list feeds")
    listing.add_argument("persona", nargs="?")
    _json(listing)
    remove = fsub.add_parser("rm", help="remove a feed and its items")
    remove.add_argument("persona")
    remove.add_argument("url")
    _yes(remove)
    enable = fsub.add_parser("enable", help="read a feed again that was disabled (410 Gone)")
    enable.add_argument("persona")
    enable.add_argument("url")

    draft = sub.add_parser("draft", help="save a draft; prints its id")
    draft.add_argument("persona")
    draft.add_argument("text", help="the text, or - to read it from stdin")
    drafts = sub.add_parser("drafts", help="list a persona's drafts")
    drafts.add_argument("persona")
    _json(drafts)

    post = sub.add_parser(
        "post", help="queue a post for publishing; prints the outbox id that cancels it"
    )
    post.add_argument("persona")
    post.add_argument("text", help="the text, or - to read it from stdin")
    post.add_argument(
        "--to",
        action="append",
        metavar="HANDLE",
        default=[],
        help="an account to publish to (repeatable; default: all)",
    )
    post.add_argument(
        "--override", action="store_true", help="queue despite the publish guard's findings"
    )

    outbox = sub.add_parser("outbox", help="list the outbox, or cancel or retry an entry")
    _json(outbox)
    osub = outbox.add_subparsers(dest="action", metavar="ACTION")
    cancel = osub.add_parser("cancel", help="take a post back to drafts (within its delay)")
    cancel.add_argument("id", type=whole_number(1, MAX_ID))
    retry = osub.add_parser("retry", help="send a failed entry again")
    retry.add_argument("id", type=whole_number(1, MAX_ID))

    sync = sub.add_parser(
        "sync", help="publish what is queued, refresh timelines (exit 1 if anything failed)"
    )
    sync.add_argument("persona", nargs="?")

    timeline = sub.add_parser("timeline", help="show a persona's timeline")
    timeline.add_argument("persona")
    timeline.add_argument(
        "--limit", type=whole_number(0, MAX_LIMIT), default=20, help="items (default 20)"
    )
    _json(timeline)

    export = sub.add_parser("export", help="print a persona's data, decrypted")
    export.add_argument("persona")
    export.add_argument("--format", choices=["json"], default="json")
    export.add_argument(
        "--include-secrets", action="store_true", help="also export account secrets and sessions"
    )

    guard = sub.add_parser("guard", help="terms a persona owns or must never post")
    gsub = guard.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = gsub.add_parser("add", help="add a term")
    add.add_argument("persona")
    add.add_argument("kind", choices=["own", "blocked"])
    add.add_argument("term")
    listing = gsub.add_parser("list", help="list terms")
    listing.add_argument("persona", nargs="?")
    _json(listing)
    remove = gsub.add_parser("rm", help="remove a term")
    remove.add_argument("persona")
    remove.add_argument("term")
    _yes(remove)
    _yes(
        gsub.add_parser(
            "repair",
            help="remove the guard terms and accounts that fail authentication, so "
            "posting works again (add them back afterwards)",
        )
    )

    sub.add_parser(
        "passwd",
        help="change the passphrase (re-encrypts no row)",
        description="Change the store's passphrase: one key is re-wrapped, no row is "
        "re-encrypted. The new passphrase is asked twice on a terminal; a script gives it "
        f"in {passphrase.NEW_ENV} (at least {passphrase.MIN_LENGTH} characters), and the "
        f"current one as usual ({passphrase.ENV} or --passphrase-file).",
    )
    _json(sub.add_parser("locate", help="print where the store and config live"))
    _json(sub.add_parser("networks", help="list the installed networks"))
    checkup = sub.add_parser(
        "doctor", help="check the store, terminal, networks and servers; print a fix for each"
    )
    _json(checkup)
    checkup.add_argument(
        "--timeout", type=float, default=3.0, metavar="SECONDS", help="per server (default 3)"
    )
    return parser


def _appearance(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--colour", "--color", dest="colour", metavar="C", help="#rrggbb or a colour name"
    )
    parser.add_argument("--glyph", metavar="G", help="one character shown with the name")


def _json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")


def _yes(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--yes", action="store_true", help="do not ask to confirm (needed without a terminal)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # `personae timeline X | head` ends quietly; whatever we create is ours alone. Both are
    # put back afterwards, for callers that run main() in their own process.
    sigpipe = signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    umask = os.umask(0o077)
    try:
        check_utf8(args)
        return commands.dispatch(args)
    except (StoreError, NetworkError) as error:  # Invalid, NotFound, GuardRefused...
        return fail(str(error))
    except OSError as error:  # the file system refused: a path too long, not a folder...
        where = f"{error.filename}: " if error.filename else ""
        return fail(f"{where}{error.strerror or error}")
    except KeyboardInterrupt:
        return fail("interrupted", status=130)
    except Exception as error:  # a bug: one line for the user, details on request
        if os.environ.get("PERSONAE_DEBUG"):
            raise
        return fail(f"unexpected {type(error).__name__}; run with PERSONAE_DEBUG=1 for details")
    finally:
        os.umask(umask)
        signal.signal(signal.SIGPIPE, sigpipe)


def check_utf8(args: argparse.Namespace) -> None:
    """Refuse a text argument that is not UTF-8 (Python keeps such bytes as lone
    surrogates, which no store or server takes). Paths may be any bytes, as on disk."""
    for name, value in vars(args).items():
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and not text.isascii():
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    raise Invalid(
                        f"the {name.replace('_', ' ')} argument is not UTF-8 text"
                    ) from None


def fail(message: str, status: int = 1) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
