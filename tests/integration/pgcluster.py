"""A throw-away PostgreSQL cluster (initdb in .stack/tmp), for tests that stop their database."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
from pathlib import Path

from tests.integration.harness import STACK, free_port, unique


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not found:
        raise AssertionError("no PostgreSQL server binaries: run `make up` first")
    return Path(found[-1])


def _as_pg(cmd: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; the Debian package adds a 'postgres' user for it.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class PgCluster:
    def __init__(self) -> None:
        self.dir = STACK / "tmp" / unique("pg")
        self.port = free_port()
        self.bin = _pg_bin()

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run(
            _as_pg([str(self.bin / args[0]), *args[1:]]),
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> PgCluster:
        self.dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        data = self.dir / "data"
        if not data.exists():
            self._run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust")
        opts = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir}"
        self._run("pg_ctl", "-D", str(data), "-l", str(self.dir / "log"), "-o", opts, "-w", "start")
        return self

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
