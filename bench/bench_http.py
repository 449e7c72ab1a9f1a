"""HTTP read latency at a fixed request rate: ``GET /v1/recommendations/{user}`` and the table
views ``GET /v1/sessions/{user}`` and ``GET /v1/profiles/{user}`` of one worker.

Run: ``.venv/bin/python -m bench.bench_http [--rate 500] [--seconds 20]`` with the stack up.
Sets up a private seeded database with a ``service`` key, sends generated traffic through one
worker, keeps the users whose three views answer 200, then loads each endpoint from wrk (a
separate process, installed from Debian's packages when missing) at a constant rate, rotating
over those users, after a short warm-up. Target: recommendations p99 ≤ 10 ms at 500 req/s.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.common import write_results
from bench.httpload import cpu
from bench.httpload.fixture import ENDPOINTS, Loaded, access_log_reads, loaded_worker
from bench.httpload.wrk import Load, ensure_wrk, run_wrk

TARGET_P99_MS = 10.0
# Cores others may use before a run starts: wrk, PostgreSQL and Kafka idle well below this.
QUIET_CORES = 0.3
# Cores others use during a run beyond which it competed with other work: wrk, PostgreSQL and
# Kafka serving 500 req/s take 0.1 to 0.4.
CONTENDED_CORES = 0.8
# The access-log ``fields`` entry each table view writes (app/web/tables.py).
ACCESS_FIELDS = {"sessions": "sessions", "profiles": "behavioural_profile"}


def _load(wrk: str, loaded: Loaded, path: str, users_file: Path, args: Any, seconds: float) -> Load:
    return run_wrk(
        wrk,
        base_url=loaded.worker.url,
        path=path,
        users_file=users_file,
        api_key=loaded.api_key,
        rate=args.rate,
        seconds=seconds,
        connections=args.connections,
        threads=args.threads,
    )


def _profiled(pid: int, seconds: float, out: Path) -> subprocess.Popen[bytes]:
    """py-spy sampling the worker while the measured run goes (it costs CPU: opt-in)."""
    py_spy = Path(sys.executable).with_name("py-spy")
    cmd = [str(py_spy), "record", "-p", str(pid), "-d", str(int(seconds)), "-f", "raw"]
    return subprocess.Popen([*cmd, "-o", str(out)], stdout=subprocess.DEVNULL)


def _run_all(
    wrk: str, loaded: Loaded, args: Any, endpoints: list[str], tmp: Path
) -> tuple[dict[str, Load], Counter[str]]:
    """The measured load per endpoint, and the 200s per endpoint over probe, warm-up and run."""
    users_file = tmp / "users.txt"
    users_file.write_text("\n".join(loaded.users) + "\n")
    loads: dict[str, Load] = {}
    answered: Counter[str] = Counter({k: v["200"] for k, v in loaded.probe.items()})
    for name in endpoints:
        path = ENDPOINTS[name]
        warm = _load(wrk, loaded, path, users_file, args, args.warmup)
        spy = None
        if args.profile and loaded.worker.proc is not None:
            args.profile.mkdir(parents=True, exist_ok=True)
            spy = _profiled(loaded.worker.proc.pid, args.seconds, args.profile / f"{name}.txt")
        pid = loaded.worker.proc.pid if loaded.worker.proc is not None else 0
        quiet = cpu.wait_quiet(pid, idle_cores=QUIET_CORES, timeout=args.quiet_wait)
        if quiet["other_cores"] >= QUIET_CORES:
            print(f"  the machine is busy with other work ({quiet}); measuring anyway")
        before = cpu.sample(pid)
        load = _load(wrk, loaded, path, users_file, args, args.seconds)
        loads[name] = load = dataclasses.replace(load, cpu=cpu.cores_used(before, cpu.sample(pid)))
        if spy is not None:
            spy.wait(60)
        answered[name] += warm.statuses.get("200", 0) + load.statuses.get("200", 0)
        print(f"  {name}: {load.requests} requests, statuses {load.statuses}")
    return loads, answered


def _check_access_log(answered: Counter[str], logged: dict[str, int]) -> dict[str, Any]:
    """Each table view answered 200 must have left an access-log row (a privacy requirement
    that batching must keep). Rows may exceed answers: wrk drops replies in flight at the end."""
    out: dict[str, Any] = {}
    for name, field in ACCESS_FIELDS.items():
        if answered[name]:
            out[name] = {"answered_200": answered[name], "rows": logged.get(field, 0)}
            if out[name]["rows"] < answered[name]:
                raise SystemExit(f"access log is missing rows for {name}: {out[name]}")
    if out:
        print(f"access log: every 200 left its row {out}")
    return out


def _table(loads: dict[str, Load]) -> str:
    head = (
        f"{'endpoint':34s} {'offered':>8s} {'achieved':>9s} {'p50 ms':>7s} {'p99 ms':>7s} "
        f"{'max ms':>7s} {'non-2xx':>8s} {'late':>5s} {'cpu: worker':>11s} {'other':>5s}"
    )
    rows = [head, "-" * len(head)]
    for load in loads.values():
        used = load.cpu
        rows.append(
            f"GET {load.path:30s} {load.rate_offered:8.0f} {load.rate_achieved:9.1f} "
            f"{load.p50_ms:7.2f} {load.p99_ms:7.2f} {load.max_ms:7.1f} {load.non_2xx:8d} "
            f"{load.late_sends:5d} {used['worker_cores']:11.2f} {used['other_cores']:5.2f}"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=500, help="requests per second offered")
    parser.add_argument("--seconds", type=float, default=20, help="measured run per endpoint")
    parser.add_argument("--warmup", type=float, default=3, help="unmeasured run before each")
    parser.add_argument("--events", type=int, default=5000, help="generated events to load")
    # Enough connections that one is always free when a send is due (see paced.lua).
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (2 cores shared)")
    parser.add_argument("--endpoint", action="append", choices=list(ENDPOINTS))
    parser.add_argument(
        "--quiet-wait", type=float, default=30, help="seconds to wait for an idle machine"
    )
    parser.add_argument("--profile", type=Path, help="write py-spy raw profiles to this dir")
    args = parser.parse_args()
    wrk = ensure_wrk()
    endpoints = args.endpoint or list(ENDPOINTS)

    with tempfile.TemporaryDirectory() as tmp, loaded_worker(args.events, Path(tmp)) as loaded:
        if len(loaded.users) < 50:
            raise SystemExit(f"only {len(loaded.users)} users answer 200 on all views: {loaded}")
        print(
            f"{len(loaded.users)} users answer 200 on every view; recommendations from "
            f"{dict(loaded.rec_sources)}; probe statuses "
            f"{ {k: dict(v) for k, v in loaded.probe.items()} }"
        )
        loads, answered = _run_all(wrk, loaded, args, endpoints, Path(tmp))
        logged = asyncio.run(access_log_reads(loaded.dsn))
    access = _check_access_log(answered, logged)
    print(_table(loads))
    print(
        f"cpu: cores busy on average during each run, of the {cpu.CORES} the machine has; "
        "other = wrk, PostgreSQL, Kafka and whatever else ran meanwhile "
        f"(over {CONTENDED_CORES:.1f} means the run competed with other work)"
    )
    if "recommendations" in loads:
        p99 = loads["recommendations"].p99_ms
        verdict = "met" if p99 <= TARGET_P99_MS else "MISSED"
        other = loads["recommendations"].cpu["other_cores"]
        if other > CONTENDED_CORES:
            verdict += f" (contended: {other:.2f} cores busy elsewhere; rerun on an idle machine)"
        print(
            f"target: GET /v1/recommendations p99 ≤ {TARGET_P99_MS:.0f} ms at 500 req/s: "
            f"{p99:.2f} ms at {args.rate:.0f} req/s offered, {verdict}"
        )
    late = sum(load.late_sends for load in loads.values())
    if late:
        print(
            f"{late} sends went out over 1 ms behind schedule (no free connection): "
            "the server fell behind or --connections is too low; those latencies are understated"
        )
    figures = {
        "rate_offered": args.rate,
        "seconds": args.seconds,
        "users": len(loaded.users),
        "recommendation_sources_in_probe": dict(loaded.rec_sources),
        "access_log": access,
        "load_generator": f"wrk -t{args.threads} -c{args.connections}, bench/httpload/paced.lua",
        "target": {"recommendations_p99_ms": TARGET_P99_MS, "at_rate": 500},
        "endpoints": {
            name: {**asdict(load), "rate_achieved": round(load.rate_achieved, 1)}
            for name, load in loads.items()
        },
    }
    print(f"results in {write_results('http', figures)}")


if __name__ == "__main__":
    main()
