"""The HTTP side of the stand-in: auth, faults, the contract check, the request log."""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from .faults import error_body
from .routes import Reply, Request, resolve
from .state import JiraProblem, User

if TYPE_CHECKING:
    from .stand_in import StandInJira


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    status: int | None = None  # None: the connection was dropped
    fault: str | None = None
    at: float = field(default_factory=time.monotonic)


class StandInServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, stand_in: StandInJira) -> None:
        self.stand_in = stand_in
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so that the client's connection pool is exercised
    server: StandInServer

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request log is the record; stderr noise helps nobody

    def _handle(self) -> None:
        stand_in = self.server.stand_in
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        split = urlsplit(self.path)
        path, query_string = split.path, split.query
        try:
            parsed: Any = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode(errors="replace")
        record = RecordedRequest(self.command, path, parse_qs(query_string), dict(self.headers.items()), parsed)
        stand_in.record(record)
        checked = path.startswith("/rest/api/")
        if checked:
            stand_in.checker.check_request(self.command, path, query_string, raw)
        if stand_in.latency:
            time.sleep(stand_in.latency)
        fault = stand_in.faults.pick(self.command, path)
        if fault is not None:
            record.fault = fault.kind
            if fault.kind == "drop":
                self.close_connection = True  # close the socket without a word
                return
            if fault.kind == "slow":
                time.sleep(fault.delay)
                fault = None
        if fault is not None and fault.kind == "drop_after":
            self._answer(path, query_string, raw, parsed)
            self.close_connection = True  # the work is done, the answer is lost
            return
        if fault is not None:
            reply = Reply(
                fault.status, fault.body or error_body(f"Stand-in fault {fault.status}."), dict(fault.headers)
            )
        else:
            reply = self._answer(path, query_string, raw, parsed)
        tamper = stand_in.take_tamper()
        if tamper is not None and reply.body is not None:
            reply.body = tamper(reply.body)
        self._send(reply, record, checked, path)

    def _answer(self, path: str, query_string: str, raw: bytes, parsed: Any) -> Reply:
        stand_in = self.server.stand_in
        found = resolve(self.command, path)
        if found is None:
            return Reply(404, None, {"X-Not-Jira-Path": "1"})
        handler, version, args = found
        state = stand_in.state
        try:
            user = self._authenticate()
        except JiraProblem as problem:
            return Reply(problem.status, {"errorMessages": problem.messages, "errors": problem.errors})
        request = Request(state, self.command, version, user, parse_qs(query_string), parsed, raw, args)
        try:
            with state.lock:
                return handler(request)
        except JiraProblem as problem:
            return Reply(problem.status, {"errorMessages": problem.messages, "errors": problem.errors})

    def _authenticate(self) -> User | None:
        """Cloud: Basic email:api-token. Data Center: Bearer PAT. No header: anonymous."""
        header = self.headers.get("Authorization")
        if not header:
            return None
        state = self.server.stand_in.state
        scheme, _, credentials = header.partition(" ")
        user: User | None = None
        if state.mode == "cloud" and scheme.lower() == "basic":
            try:
                email, _, token = base64.b64decode(credentials).decode().partition(":")
            except ValueError:
                email, token = "", ""
            candidate = state.user_by_email(email)
            user = candidate if candidate and candidate.api_token and candidate.api_token == token else None
        elif state.mode == "dc" and scheme.lower() == "bearer":
            user = next((u for u in state.users.values() if u.pat and u.pat == credentials), None)
        if user is None:
            raise JiraProblem(401, ["Client must be authenticated to access this resource."])
        return user

    def _send(self, reply: Reply, record: RecordedRequest, checked: bool, path: str) -> None:
        payload = b"" if reply.body is None else json.dumps(reply.body).encode()
        content_type = "application/json;charset=UTF-8"
        unrouted = bool(reply.headers.pop("X-Not-Jira-Path", None))
        if unrouted:
            payload, content_type = b"<html><body>Oops, you've found a dead link.</body></html>", "text/html"
        record.status = reply.status  # before the answer leaves: a test reading the log after it sees it
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if payload:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        if checked and not unrouted:  # an unserved path is a plain 404 page, as a real site's would be
            self.server.stand_in.checker.check_response(self.command, path, reply.status, content_type, payload)


def serve_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return thread
