"""A TCP relay on a fixed loopback port in front of a real server: "the network" for tests.
It can go down and come back (while down, connections are refused), and it can hold the
server's answers back: the request reaches the server and is carried out, but the client
hears nothing until the test says so — a lost answer, without racing a clock.

    relay = Relay(server_port).up()
    relay.hold_answers()
    ...                                   # a client times out waiting
    relay.wait_for_held_answer()          # the server has finished and answered
    relay.pass_answers()                  # from now on, answers go through again
"""

from __future__ import annotations

import re
import socket
import threading
from contextlib import suppress

from tests.support.ports import free_port

WAIT = 30.0  # seconds a test waits for the server's answer before calling it hung
_CONTENT_LENGTH = re.compile(rb"^content-length:\s*(\d+)\s*$", re.IGNORECASE | re.MULTILINE)


class Relay:
    """``Relay(target_port)``: ``url`` stays the same across ``down()`` and ``up()``."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._holding = False
        self._held = b""
        self._answered = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def up(self) -> Relay:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def down(self) -> None:
        """Stop listening and cut every open connection (refused from now on)."""
        listener, self._listener = self._listener, None
        if listener is not None:
            with suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            for sock in self._open:
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open.clear()

    # -- lost answers ------------------------------------------------------------------------

    def hold_answers(self) -> None:
        """From now on requests still reach the server, but its answers stop here."""
        with self._lock:
            self._holding, self._held = True, b""
            self._answered.clear()

    def wait_for_held_answer(self) -> bytes:
        """Block until the server has sent one complete HTTP answer that is held back (it
        has finished the request); that answer's bytes."""
        if not self._answered.wait(WAIT):
            raise TimeoutError(f"the server sent no complete answer within {WAIT:g} s")
        with self._lock:
            return self._held

    def pass_answers(self) -> None:
        """Answers go through again (those held so far are dropped, as a lost answer is)."""
        with self._lock:
            self._holding, self._held = False, b""

    # -- relaying ----------------------------------------------------------------------------

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open |= {client, server}
            threading.Thread(target=self._pipe, args=(client, server), daemon=True).start()
            threading.Thread(target=self._answers, args=(server, client), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def _answers(self, server: socket.socket, client: socket.socket) -> None:
        """The server's side: passed on, or held while ``hold_answers`` is in force."""
        with suppress(OSError):
            while data := server.recv(65536):
                if not self._keep(data):
                    client.sendall(data)
        with suppress(OSError):
            client.shutdown(socket.SHUT_WR)

    def _keep(self, data: bytes) -> bool:
        with self._lock:
            if not self._holding:
                return False
            self._held += data
            if _complete(self._held):
                self._answered.set()
            return True


def _complete(answer: bytes) -> bool:
    """Whether ``answer`` holds a whole HTTP response: headers and the body they announce
    (by Content-Length, or chunks up to the last one)."""
    head, found, body = answer.partition(b"\r\n\r\n")
    if not found:
        return False
    length = _CONTENT_LENGTH.search(head)
    if length is not None:
        return len(body) >= int(length.group(1))
    return body.endswith(b"0\r\n\r\n")
