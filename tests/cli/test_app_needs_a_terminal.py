"""``personae`` alone starts the full-screen app, which needs a terminal to draw on. Run
from a script, a pipe or cron it says so at once and exits 2, instead of drawing into the
pipe forever."""

from __future__ import annotations

import pytest

from tests.cli.conftest import Cli
from tests.cli.terminal import run_on_terminal

MESSAGE = "personae needs a terminal; for scripts use the subcommands (personae --help)"


@pytest.mark.parametrize("demo", [[], ["--demo"]], ids=["app", "demo"])
def test_without_a_terminal_the_app_exits_2_with_one_line(cli: Cli, demo: list[str]) -> None:
    done = cli(*demo)  # stdin and stdout are pipes
    assert done.code == 2
    assert done.err == MESSAGE + "\n"
    assert done.out == ""


def test_a_terminal_on_stdin_alone_is_not_enough(cli: Cli) -> None:
    """`personae | less`: the app would draw its escape sequences into the pipe."""
    session = run_on_terminal(cli.command(), cli.env, stdout_to_pipe=True)
    assert session.code == 2
    assert MESSAGE in session.screen
