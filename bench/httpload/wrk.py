"""wrk as the separate load process: installed from Debian's packages when missing, paced to a
fixed request rate by ``paced.lua``, its JSON summary parsed into :class:`Load`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

SCRIPT = Path(__file__).resolve().with_name("paced.lua")
MARKER = '{"hw_bench": 1'


@dataclass(frozen=True)
class Load:
    """One wrk run: what was offered, what came back and how fast."""

    path: str
    rate_offered: float
    duration_s: float
    requests: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    p999_ms: float
    max_ms: float
    mean_ms: float
    statuses: dict[str, int]
    errors: dict[str, int]
    late_sends: int
    max_send_lag_ms: float
    # Cores busy during the run (bench/httpload/cpu.py), filled in by the caller.
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def rate_achieved(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def non_2xx(self) -> int:
        bad = sum(n for code, n in self.statuses.items() if not code.startswith("2"))
        # Socket errors and timeouts never got a status: they count as failures too.
        return bad + sum(v for k, v in self.errors.items() if k != "status")


def ensure_wrk() -> str:
    """The wrk binary; installs Debian's ``wrk`` package first when it is missing (as
    scripts/stack.sh installs postgresql: sudo unless root)."""
    found = shutil.which("wrk")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in ([*sudo, "apt-get", "update", "-qq"], [*sudo, "apt-get", "install", "-y", "wrk"]):
        print(f"wrk is missing; running: {' '.join(cmd)}", flush=True)
        subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("apt-get installed wrk but it is not on PATH")
    return found


def run_wrk(
    wrk: str,
    *,
    base_url: str,
    path: str,
    users_file: Path,
    api_key: str,
    rate: float,
    seconds: float,
    connections: int,
    threads: int,
) -> Load:
    """Load ``base_url + path`` (``{user}`` rotating over ``users_file``) at ``rate`` req/s."""
    cmd = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "5s",
        "-s",
        str(SCRIPT),
        base_url,
        "--",
        str(users_file),
        path,
        str(rate),
        str(threads),
    ]
    out = subprocess.run(
        cmd,
        env={**os.environ, "HW_BENCH_KEY": api_key},
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith(MARKER)), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    doc = json.loads(line)
    ms = {k[:-3]: doc[k] / 1000 for k in doc if k.endswith("_us")}
    return Load(
        path=path,
        rate_offered=rate,
        duration_s=ms["duration"] / 1000,
        requests=int(doc["requests"]),
        p50_ms=ms["p50"],
        p90_ms=ms["p90"],
        p99_ms=ms["p99"],
        p999_ms=ms["p999"],
        max_ms=ms["max"],
        mean_ms=ms["mean"],
        statuses={str(k): int(v) for k, v in doc["statuses"].items()},
        errors={k: int(v) for k, v in doc["errors"].items()},
        late_sends=int(doc["late_sends"]),
        max_send_lag_ms=float(doc["max_send_lag_ms"]),
    )
