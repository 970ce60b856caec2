"""Running a command on a real pseudo-terminal, as a person at a keyboard would: it sees a
terminal on stdin and stdout, asks, and the test answers once the question is on screen."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import termios
from collections.abc import Sequence
from dataclasses import dataclass

WAIT = 60.0  # seconds without output before the command counts as hung


@dataclass
class Session:
    code: int
    screen: str  # everything the command wrote to the terminal


def run_on_terminal(
    argv: Sequence[str],
    env: dict[str, str],
    *,
    size: tuple[int, int] = (24, 80),
    answer: tuple[str, str] | None = None,
    stdout_to_pipe: bool = False,
) -> Session:
    """Run ``argv`` on a terminal of ``size`` (lines, columns). With ``answer``
    (question, typed), ``typed`` is entered once ``question`` has appeared on the screen.
    ``stdout_to_pipe`` leaves only stdin and stderr on the terminal (``personae | less``)."""
    main_fd, tty_fd = pty.openpty()
    fcntl.ioctl(tty_fd, termios.TIOCSWINSZ, struct.pack("HHHH", *size, 0, 0))
    stdout = subprocess.PIPE if stdout_to_pipe else tty_fd
    process = subprocess.Popen(
        list(argv), stdin=tty_fd, stdout=stdout, stderr=tty_fd, env=env, start_new_session=True
    )
    os.close(tty_fd)
    output = b""
    try:
        while chunk := _read(main_fd):
            output += chunk
            if answer and answer[0].encode() in output:
                os.write(main_fd, answer[1].encode() + b"\r")
                answer = None
    finally:
        os.close(main_fd)
        if process.stdout is not None:
            output += process.stdout.read()
            process.stdout.close()
    return Session(process.wait(timeout=WAIT), output.decode(errors="replace"))


def _read(fd: int) -> bytes:
    """The next output, b"" once the command has ended and closed the terminal."""
    ready, _, _ = select.select([fd], [], [], WAIT)
    if not ready:
        raise TimeoutError(f"no output for {WAIT:g} s: the command hangs")
    try:
        return os.read(fd, 4096)
    except OSError:  # EIO: every process holding the terminal has ended
        return b""
