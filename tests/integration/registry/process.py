"""``python -m registry`` as a subprocess on a free port with its own ``_schemas`` topic."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from aiokafka.admin import AIOKafkaAdminClient

from tests.integration.harness import ROOT, free_port, unique, wait_until


class RegistryProcess:
    def __init__(self, tmp: Path, bootstrap: str, topic: str | None = None) -> None:
        self.bootstrap = bootstrap
        self.topic = topic or unique("_schemas-test")
        self.port = free_port()
        self.log_path = tmp / f"registry-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> RegistryProcess:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "registry",
                    "--port",
                    str(self.port),
                    "--bootstrap",
                    self.bootstrap,
                    "--topic",
                    self.topic,
                ],
                cwd=ROOT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(f"registry on {self.url} (topic {self.topic})", self._answers, timeout)
        return self

    def _answers(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"registry exited early:\n{self.log_tail()}")
        return httpx.get(f"{self.url}/subjects", timeout=5).status_code == 200

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def stop(self, timeout: float = 20) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
            raise AssertionError(
                f"registry ignored SIGTERM for {timeout}s:\n{self.log_tail()}"
            ) from None

    def delete_topic(self) -> None:
        async def delete() -> None:
            admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
            await admin.start()
            try:
                await admin.delete_topics([self.topic])
            finally:
                await admin.close()

        asyncio.run(delete())
