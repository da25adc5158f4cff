"""A TCP proxy for fault drills: put it between the app and PostgreSQL or Redis, then take the server away.

    with TcpProxy("127.0.0.1", 5432) as proxy:    # point the app at 127.0.0.1:proxy.port
        proxy.cut()       # every open connection is hung up, and new ones are hung up at once
        proxy.restore()   # connections go through again

From the app's side `cut()` is the server restarting or stopping: its sockets see the other end hang
up. A connection attempt during the cut is accepted and closed at once rather than refused, so that
the port stays ours and no other process on the machine can take it meanwhile. The real server is
never touched, so tests running beside the drill keep their database and their Redis.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._open = True
        self._closed = False
        self._sockets: set[socket.socket] = set()
        self.accepted = 0  # connections that went through to the server, for the tests' own checks

    def start(self) -> TcpProxy:
        threading.Thread(target=self._accept_loop, name=f"proxy-{self.port}", daemon=True).start()
        return self

    def cut(self) -> None:
        with self._lock:
            self._open = False
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            _hang_up(sock)

    def restore(self) -> None:
        with self._lock:
            self._open = True

    def close(self) -> None:
        self._closed = True
        self.cut()
        _hang_up(self._listener)

    def __enter__(self) -> TcpProxy:
        return self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # the listener was closed
            if not self._open:
                _hang_up(client)
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                _hang_up(client)
                continue
            server.settimeout(None)
            with self._lock:
                if not self._open:  # cut while connecting
                    _hang_up(client)
                    _hang_up(server)
                    continue
                self._sockets.update((client, server))
                self.accepted += 1
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        # One side hung up (or the proxy cut the pair): hang up the other too.
        with self._lock:
            self._sockets.discard(source)
            self._sockets.discard(sink)
        _hang_up(source)
        _hang_up(sink)


def _hang_up(sock: socket.socket) -> None:
    # shutdown() wakes a thread blocked in recv() on this socket; close() alone would not.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
