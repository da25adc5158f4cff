"""The app in a real server process for fault drills: gunicorn, one worker, on a free port of 127.0.0.1.

    with app_server(database_url=proxied_url, redis_host=f"127.0.0.1:{proxy.port}") as server:
        httpx.get(f"{server.url}/api/v1/stories/", ...)

The process takes core/testing/server_settings.py: the test settings with persistent database
connections and tasks sent to the broker. `server.worker_boots()` counts the workers gunicorn
started: a drill asserts 1, so that "served again afterwards" cannot mean "served by a new process".
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

BASE_DIR = Path(__file__).resolve().parent.parent.parent


@dataclass
class AppServer:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def worker_boots(self) -> int:
        return len(re.findall(r"Booting worker with pid", self.log()))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def app_server(*, database_url: str, redis_host: str | None = None, tasks: str = "broker") -> Iterator[AppServer]:
    """Serve the app; `tasks="eager"` runs tasks in the request instead of sending them to Redis."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "core.testing.server_settings",
        "TEST_DATABASE_URL": database_url,
        "SERVER_TASKS": tasks,
        "LOG_LEVEL": "WARNING",
    }
    if redis_host:
        env["TEST_REDIS_HOST"] = redis_host
    with tempfile.NamedTemporaryFile(prefix="app-server-", suffix=".log", delete=False) as log:
        log_path = Path(log.name)
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "tpm_workspace.wsgi",
                f"--bind=127.0.0.1:{port}",
                "--workers=1",
                "--timeout=60",
                "--graceful-timeout=2",
                "--log-level=info",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = AppServer(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    try:
        _wait_until_serving(server)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log_path.unlink(missing_ok=True)


def _wait_until_serving(server: AppServer, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the app server exited:\n{server.log()}")
        try:
            httpx.get(f"{server.url}/login/", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"the app server did not answer within {timeout:.0f} s:\n{server.log()}")
