"""Bad input gets one clear line on stderr, a non-zero exit, no traceback, and loses nothing."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys

from personae.store import Store
from personae.store.files import db_path
from tests.cli.conftest import PERSONAE, Cli
from tests.conftest import PASSPHRASE


def _digest(cli: Cli) -> str:
    return hashlib.sha256(db_path(cli.store_dir).read_bytes()).hexdigest()


def test_wrong_passphrase_says_so_and_changes_nothing(two: Cli) -> None:
    before = _digest(two)
    failed = two.fails("draft", "Work", "hello", PERSONAE_PASSPHRASE="not the passphrase")
    assert "passphrase" in failed.err.lower()
    assert len(failed.err.strip().splitlines()) == 1
    assert _digest(two) == before
    assert two.ok("drafts", "Work", "--json").json() == []


def test_unknown_persona_is_named(two: Cli) -> None:
    failed = two.fails("draft", "Nobody", "hello")
    assert "Nobody" in failed.err


def test_missing_store_points_to_init(tmp_path) -> None:
    failed = Cli(tmp_path).fails("persona", "list")
    assert "personae init" in failed.err


def test_unreadable_store_path(tmp_path) -> None:
    cli = Cli(tmp_path)
    cli.store_dir.write_text("not a folder")
    failed = cli.fails("persona", "list")
    assert str(cli.store_dir) in failed.err


def test_store_readable_by_others_is_refused_with_the_chmod_fix(two: Cli) -> None:
    os.chmod(two.store_dir, 0o755)
    failed = two.fails("persona", "list")
    assert f"chmod 700 {two.store_dir}" in failed.err
    os.chmod(two.store_dir, 0o700)
    os.chmod(db_path(two.store_dir), 0o644)
    failed = two.fails("persona", "list")
    assert "chmod 600" in failed.err


def test_files_created_are_private_whatever_the_umask(tmp_path) -> None:
    cli = Cli(tmp_path)
    done = subprocess.run(
        ["sh", "-c", 'umask 000 && exec "$0" --store "$1" init', str(PERSONAE), cli.store_dir],
        env=cli.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert cli.store_dir.stat().st_mode & 0o777 == 0o700
    for path in cli.store_dir.iterdir():
        assert path.stat().st_mode & 0o777 == 0o600, path


def test_tampered_value_is_reported_and_the_rest_reads_fine(two: Cli) -> None:
    two.ok("draft", "Work", "first")
    two.ok("draft", "Work", "second")
    store = Store.open(two.store_dir, PASSPHRASE)
    with store.write() as conn:  # copy one draft's ciphertext over the other's
        rows = conn.execute("SELECT id, text FROM drafts ORDER BY id").fetchall()
        conn.execute("UPDATE drafts SET text = ? WHERE id = ?", (rows[1][1], rows[0][0]))
    store.close()

    listed = two.ok("drafts", "Work", "--json")
    assert [d["text"] for d in listed.json()] == ["second"]
    warning = [line for line in listed.err.splitlines() if "warning" in line]
    assert len(warning) == 1 and "Work" in warning[0] and "draft" in warning[0]


def test_empty_text_is_refused(two: Cli) -> None:
    assert "empty" in two.fails("draft", "Work", "   ").err


def test_no_passphrase_and_no_terminal_explains_how_to_give_one(two: Cli) -> None:
    env = {k: v for k, v in two.env.items() if k != "PERSONAE_PASSPHRASE"}
    done = subprocess.run(
        [str(PERSONAE), "--store", str(two.store_dir), "persona", "list"],
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert done.returncode != 0 and "PERSONAE_PASSPHRASE" in done.stderr


def test_a_store_held_by_a_crashed_writer_opens(two: Cli) -> None:
    """A process killed while holding the write lock leaves nothing that blocks the next one."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time\n"
                "from personae.store import Store\n"
                f"s = Store.open(sys.argv[1], {PASSPHRASE!r})\n"
                "with s.write() as c:\n"
                "    c.execute('UPDATE personas SET position = position')\n"
                "    print('holding', flush=True)\n"
                "    time.sleep(60)\n"
            ),
            str(two.store_dir),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "holding"
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    two.ok("draft", "Work", "after the crash")  # no StoreBusy: the kill released the lock
    assert [d["text"] for d in two.ok("drafts", "Work", "--json").json()] == ["after the crash"]


# -- bytes that are not UTF-8, numbers too big, paths that cannot be used ---------------------


def test_an_argument_that_is_not_utf8_is_one_line_and_saves_nothing(two: Cli) -> None:
    not_utf8 = os.fsdecode(b"caf\xe9")  # Latin-1 from an old script, as the shell passes it
    failed = two.fails("draft", "Work", not_utf8)
    assert failed.err == "personae: the text argument is not UTF-8 text\n"
    assert two.ok("drafts", "Work", "--json").json() == []


def test_stdin_that_is_not_utf8_is_one_line_and_saves_nothing(two: Cli) -> None:
    failed = two.fails("post", "Work", "-", input=b"caf\xe9 au lait\n")
    assert failed.err == "personae: stdin is not UTF-8 text (byte 4); nothing saved\n"
    assert two.ok("drafts", "Work", "--json").json() == []
    assert two.ok("outbox", "--json").json() == []


def test_a_passphrase_file_that_is_not_utf8_is_one_line(two: Cli) -> None:
    secret = two.home / "passphrase"
    secret.write_bytes(b"caf\xe9 horse battery\n")
    secret.chmod(0o600)
    failed = two.fails("--passphrase-file", str(secret), "persona", "list")
    assert failed.err == f"personae: passphrase file {secret} is not UTF-8 text\n"


def test_a_huge_limit_is_a_usage_error_in_one_line(two: Cli) -> None:
    failed = two.fails("timeline", "Work", "--limit", "99999999999999999999")
    assert failed.code == 2
    assert failed.err.startswith("personae: argument --limit: 99999999999999999999 is not")
    assert len(failed.err.splitlines()) == 1


def test_a_huge_outbox_id_is_a_usage_error_in_one_line(two: Cli) -> None:
    failed = two.fails("outbox", "cancel", "1" + "0" * 30)
    assert failed.code == 2 and len(failed.err.splitlines()) == 1
    assert "unexpected" not in failed.err


def test_a_store_path_the_system_refuses_is_named_in_one_line(tmp_path) -> None:
    cli = Cli(tmp_path)
    cli.store_dir = tmp_path / ("x" * 300)  # longer than a file name may be
    failed = cli.fails("persona", "list")
    assert failed.err.strip().endswith(": File name too long")
    assert "unexpected" not in failed.err


# -- passphrases given by the environment ---------------------------------------------------


def test_an_empty_passphrase_is_called_empty_not_wrong(two: Cli) -> None:
    failed = two.fails("persona", "list", PERSONAE_PASSPHRASE="")
    assert failed.err == "personae: empty passphrase: PERSONAE_PASSPHRASE is empty\n"


def test_init_refuses_a_short_passphrase_from_the_environment(tmp_path) -> None:
    fresh = Cli(tmp_path)
    failed = fresh.fails("init", PERSONAE_PASSPHRASE="short")
    assert "at least 8 characters" in failed.err
    assert not fresh.store_dir.exists()


def test_passwd_refuses_a_short_new_passphrase_and_keeps_the_old(two: Cli) -> None:
    failed = two.fails("passwd", PERSONAE_NEW_PASSPHRASE="short")
    assert "at least 8 characters" in failed.err
    two.ok("persona", "list")  # the old passphrase still opens the store


def test_passwd_without_a_terminal_names_the_variable_for_the_new_passphrase(two: Cli) -> None:
    failed = two.fails("passwd")
    assert "PERSONAE_NEW_PASSPHRASE" in failed.err
    assert "PERSONAE_NEW_PASSPHRASE" in two.ok("passwd", "--help").out
