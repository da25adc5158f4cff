"""A real HTTP receiver on 127.0.0.1 that records what it gets and answers from a script."""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from webhooks import services


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next scripted (status, headers, body), then 200 once the script runs out."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    script: deque = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, *responses: int | tuple[int, dict[str, str]] | tuple[int, dict[str, str], bytes]) -> None:
        for response in responses:
            if isinstance(response, int):
                response = (response, {}, b"")
            elif len(response) == 2:
                response = (*response, b"")
            self.script.append(response)

    def next_answer(self) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            return self.script.popleft() if self.script else (200, {}, b"ok")


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with receiver.lock:
                receiver.requests.append(Received(path=self.path, headers=dict(self.headers.items()), body=body))
            status, headers, answer = receiver.next_answer()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format, *args):
            pass

    return Handler


@pytest.fixture
def receiver():
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/tpm"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="webhook-receiver", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def allow_private_networks(settings):
    """The receiver listens on 127.0.0.1, which production refuses (see webhooks.transport)."""
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def endpoint_factory(workspace, admin_user):
    def make(url: str, events=("story.created",), *, workspace=workspace, actor=admin_user, **kwargs):
        endpoint, secret = services.endpoint_create(
            workspace=workspace, actor=actor, url=url, events=list(events), **kwargs
        )
        endpoint.plain_secret = secret
        return endpoint

    return make
