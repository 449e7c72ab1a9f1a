"""Helpers to drive Headwater as its users do: a worker subprocess, Kafka topics and HTTP.

Every wait has a timeout and says what did not arrive.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx

ROOT = Path(__file__).resolve().parents[2]
STACK = ROOT / ".stack"
T = TypeVar("T")


#: Every name ``unique`` gave out this session: the topics that contain one are deleted at
#: the end (tests/integration/conftest.py), or a long-lived dev broker runs out of files.
ISSUED: set[str] = set()


def unique(prefix: str) -> str:
    name = f"{prefix}-{uuid.uuid4().hex[:10]}"
    ISSUED.add(name)
    return name


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(what: str, fn: Callable[[], T | None], timeout: float, every: float = 0.25) -> T:
    """Call ``fn`` until it returns something truthy; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            result = fn()
            if result:
                return result
        except Exception as err:  # retried until the deadline; reported below
            last_error = err
        time.sleep(every)
    raise AssertionError(f"{what} did not happen within {timeout:.0f}s (last error: {last_error})")


class Worker:
    """``faust -A app worker`` as a subprocess with its own app id, data dir and web port."""

    def __init__(
        self, tmp: Path, module: str = "app", ready_path: str = "/health", **env: str
    ) -> None:
        self.module, self.ready_path = module, ready_path
        self.app_id = env.pop("APP_ID", unique("hw-test"))
        self.port = int(env.pop("WEB_PORT", free_port()))
        # Workers of one group share an app id but never a data dir (RocksDB locks it).
        self.data_dir = Path(env.pop("DATA_DIR", tmp / f"{self.app_id}-{self.port}"))
        self.log_path = tmp / f"{self.app_id}-{self.port}.log"
        self.env = {
            **os.environ,
            "APP_ID": self.app_id,
            "WEB_PORT": str(self.port),
            "DATA_DIR": str(self.data_dir),
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_timeout: float = 90) -> Worker:
        faust = Path(sys.executable).with_name("faust")
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [str(faust), "-A", self.module, "worker", "-l", "info"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(f"worker {self.app_id} web server on {self.url}", self._web_up, ready_timeout)
        return self

    def _web_up(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"worker {self.app_id} exited early:\n{self.log_tail()}")
        httpx.get(f"{self.url}{self.ready_path}", timeout=5)
        return True

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.get(f"{self.url}{path}", timeout=kwargs.pop("timeout", 10), **kwargs)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)
