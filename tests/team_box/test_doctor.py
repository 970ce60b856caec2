"""``personae doctor`` on a real store: each problem a shared box can have is reported with
its fix, a healthy store passes, and nothing secret is printed."""

from __future__ import annotations

import http.server
import json
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from personae.tui import doctor
from personae.tui.cli import main
from tests.cli.terminal import run_on_terminal
from tests.conftest import PASSPHRASE
from tests.support.ports import free_port

SECRET = "app-password-that-must-never-be-printed"


@pytest.fixture(autouse=True)
def box(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A user's session on the box: a usable terminal type, own config dir, no allow-list."""
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.delenv("PERSONAE_NETWORKS", raising=False)
    monkeypatch.delenv("PERSONAE_PASSPHRASE", raising=False)
    monkeypatch.delenv("PERSONAE_CONFIG", raising=False)


@pytest.fixture
def unlocked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERSONAE_PASSPHRASE", PASSPHRASE)


@pytest.fixture
def http_server() -> Iterator[str]:
    """A real HTTP server on loopback that answers every request with 200."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def diagnose(store_dir: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, dict]]:
    """Run the doctor with --json; the exit status and each check by name."""
    status = doctor.run(store_dir, json=True, timeout=2)
    checks = json.loads(capsys.readouterr().out)
    return status, {check["name"]: check for check in checks}


def test_a_healthy_store_passes_every_store_check_and_exits_0(store, work, capsys):
    status, checks = diagnose(store.dir, capsys)
    assert status == 0
    assert checks["store permissions"]["status"] == "ok"
    assert checks["store opens"]["status"] == "ok"
    assert "schema version" in checks["store opens"]["detail"]


def test_a_store_others_can_read_fails_with_the_chmod_that_fixes_it(store, capsys):
    os.chmod(store.dir, 0o755)
    os.chmod(store.dir / "personae.db", 0o644)
    status, checks = diagnose(store.dir, capsys)
    assert status == 1
    check = checks["store permissions"]
    assert check["status"] == "fail"
    assert f"chmod 700 {store.dir}" in check["fix"]
    assert f"chmod 600 {store.dir / 'personae.db'}" in check["fix"]


def test_a_missing_store_fails_and_says_to_run_init(tmp_path, capsys):
    status, checks = diagnose(tmp_path / "nowhere", capsys)
    assert status == 1
    assert checks["store"]["status"] == "fail"
    assert checks["store"]["fix"] == "personae init"


def test_a_store_from_a_newer_personae_fails_with_upgrade_advice(store, capsys):
    with store.write() as conn:
        conn.execute("update meta set value = '999' where key = 'schema_version'")
    status, checks = diagnose(store.dir, capsys)
    assert status == 1
    assert checks["store opens"]["fix"] == "upgrade personae"


def test_without_a_passphrase_accounts_are_skipped_not_failed(store, work, capsys):
    store.accounts.add(work, "local", "me", "/nonexistent-root-folder/x", secret=SECRET)
    status, checks = diagnose(store.dir, capsys)
    assert status == 0
    assert checks["unlock"]["status"] == "skip"
    assert not [name for name in checks if name.startswith("account ")]


def test_a_reachable_server_is_ok_and_an_unreachable_one_warns(
    store, work, unlocked, http_server, capsys
):
    store.accounts.add(work, "mastodon", "up", http_server, secret=SECRET)
    store.accounts.add(work, "mastodon", "down", f"http://127.0.0.1:{free_port()}")
    status, checks = diagnose(store.dir, capsys)
    assert status == 0  # an unreachable server is a warning: posts wait in the outbox
    assert checks["unlock"]["status"] == "ok"
    assert checks["account Work/up"]["status"] == "ok"
    down = checks["account Work/down"]
    assert down["status"] == "warn"
    assert "unreachable" in down["detail"] and down["fix"]


def test_a_local_target_folder_counts_as_its_server(store, work, unlocked, tmp_path, capsys):
    store.accounts.add(work, "local", "me", str(tmp_path / "target"))
    _, checks = diagnose(store.dir, capsys)
    assert checks["account Work/me"]["status"] == "ok"


def test_no_secret_is_ever_printed(store, work, unlocked, http_server, capsys):
    store.accounts.add(work, "mastodon", "up", http_server, secret=SECRET)
    doctor.run(store.dir, json=False, timeout=2)
    doctor.run(store.dir, json=True, timeout=2)
    out, err = capsys.readouterr()
    assert "account Work/up" in out
    assert SECRET not in out + err
    assert PASSPHRASE not in out + err


def test_a_wrong_passphrase_fails_the_unlock_check(store, monkeypatch, capsys):
    monkeypatch.setenv("PERSONAE_PASSPHRASE", "not the passphrase")
    status, checks = diagnose(store.dir, capsys)
    assert status == 1
    assert checks["unlock"]["status"] == "fail"


def test_the_allow_list_limits_which_networks_load(store, monkeypatch, capsys):
    monkeypatch.setenv("PERSONAE_NETWORKS", "local,nosuchnetwork")
    _, checks = diagnose(store.dir, capsys)
    networks = checks["networks"]
    assert networks["status"] == "ok"
    assert networks["detail"].startswith("local loaded;")
    assert "rss" in networks["detail"].split("not loaded:")[1]  # installed, not admitted
    assert checks["network nosuchnetwork"]["status"] == "warn"
    assert "not installed" in checks["network nosuchnetwork"]["detail"]


def test_an_allow_list_that_admits_nothing_installed_fails(store, monkeypatch, capsys):
    monkeypatch.setenv("PERSONAE_NETWORKS", "nosuchnetwork")
    status, checks = diagnose(store.dir, capsys)
    assert status == 1
    assert checks["networks"]["status"] == "fail"
    assert "PERSONAE_NETWORKS" in checks["networks"]["fix"]


@pytest.mark.parametrize(
    ("term", "colours"), [("xterm-256color", "256 colours"), ("xterm", "8 colours")]
)
def test_the_colour_count_comes_from_terminfo(store, monkeypatch, capsys, term, colours):
    monkeypatch.setenv("TERM", term)
    _, checks = diagnose(store.dir, capsys)
    assert checks["colours"]["status"] == "ok"
    assert checks["colours"]["detail"].startswith(colours)


def test_no_color_is_fine_because_personas_show_as_text(store, monkeypatch, capsys):
    monkeypatch.setenv("NO_COLOR", "1")
    _, checks = diagnose(store.dir, capsys)
    assert checks["colours"]["status"] == "ok"
    assert "NO_COLOR" in checks["colours"]["detail"]


def in_a_terminal(argv: list[str], env: dict[str, str], size=(24, 80)) -> tuple[int, str]:
    """Run ``argv`` on a real pseudo-terminal of ``size`` (lines, columns): (status, output)."""
    session = run_on_terminal(argv, env, size=size)
    return session.code, session.screen


def personae_doctor(store_dir: Path) -> list[str]:
    personae = Path(sys.executable).with_name("personae")
    return [str(personae), "--store", str(store_dir), "doctor", "--timeout", "1"]


def test_in_a_dumb_terminal_the_term_check_fails_with_a_term_to_export(store):
    status, output = in_a_terminal(personae_doctor(store.dir), {**os.environ, "TERM": "dumb"})
    assert status == 1
    assert "fail  TERM: TERM is dumb: the app cannot draw — fix: export TERM=" in output


def test_in_an_80x24_terminal_the_terminal_checks_pass(store):
    env = {**os.environ, "TERM": "xterm-256color"}
    status, output = in_a_terminal(personae_doctor(store.dir), env, size=(24, 80))
    assert status == 0, output
    assert "ok    terminal: stdin and stdout are a terminal" in output
    assert "ok    terminal size: 80x24" in output


def test_a_terminal_smaller_than_80x24_warns_with_the_size_to_reach(store):
    env = {**os.environ, "TERM": "xterm-256color"}
    status, output = in_a_terminal(personae_doctor(store.dir), env, size=(20, 70))
    assert status == 0
    assert "warn  terminal size: 70x20 is smaller than 80x24" in output


def test_without_a_terminal_a_missing_term_only_warns(store, monkeypatch, capsys):
    monkeypatch.delenv("TERM")
    status, checks = diagnose(store.dir, capsys)  # as under cron: no terminal, no TERM
    assert status == 0
    assert checks["TERM"]["status"] == "warn"


def test_a_config_file_others_can_change_fails_with_the_fix(store, tmp_path, capsys):
    folder = tmp_path / "config" / "personae"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text("auto_lock_seconds = 60\n")
    os.chmod(folder / "config.toml", 0o666)
    status, checks = diagnose(store.dir, capsys)
    assert status == 1
    assert checks["config"]["fix"] == f"chmod go-w {folder / 'config.toml'}"


def test_a_broken_config_file_warns_and_names_the_problem(store, tmp_path, capsys):
    folder = tmp_path / "config" / "personae"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text("auto_lock_seconds = 'soon'\n")
    status, checks = diagnose(store.dir, capsys)
    assert status == 0
    assert checks["config"]["status"] == "warn"
    assert "auto_lock_seconds" in checks["config"]["detail"]


def test_files_in_tmp_that_personae_did_not_write_are_left_alone(
    store, tmp_path, monkeypatch, capsys
):
    """personae writes no temporary files, so a "personae" in /tmp is someone else's: a
    checkout, another program's files, another user's. The doctor neither lists them nor
    suggests removing them."""
    tmp = tmp_path / "tmp"
    (tmp / "personae").mkdir(parents=True)  # a user's git checkout
    (tmp / "personae-draft.txt").write_text("another program's")
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr("tempfile.tempdir", None)  # recomputed from TMPDIR
    _, checks = diagnose(store.dir, capsys)
    doctor.run(store.dir, json=False, timeout=2)
    text = capsys.readouterr().out
    assert str(tmp) not in json.dumps(list(checks.values())) + text
    assert "rm -r" not in json.dumps(list(checks.values())) + text


def test_the_text_report_is_one_line_per_check_with_its_fix(store, capsys):
    os.chmod(store.dir, 0o750)
    doctor.run(store.dir, json=False, timeout=2)
    lines = capsys.readouterr().out.splitlines()
    line = next(line for line in lines if "store permissions" in line)
    assert line.startswith("fail  store permissions: ")
    assert line.endswith(f"fix: chmod 700 {store.dir}")


def test_personae_doctor_on_the_command_line_prints_json_and_exits_0(store, work, capsys):
    status = main(["--store", str(store.dir), "doctor", "--json", "--timeout", "1"])
    checks = {check["name"]: check for check in json.loads(capsys.readouterr().out)}
    assert status == 0
    assert checks["store permissions"]["status"] == "ok"
    assert set(checks["store opens"]) == {"name", "status", "detail", "fix"}
