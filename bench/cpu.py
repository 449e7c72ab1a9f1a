"""CPU seconds used per process group while a benchmark runs (from /proc, Linux only): says
whether a figure is limited by the worker, the broker or a service next to it."""

from __future__ import annotations

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")
#: Process groups by a substring of their command line.
GROUPS = {
    "worker": "faust",
    "kafka": "kafka.Kafka",
    "postgres": "postgres",
    "milvus": "milvus",
    "registry": "-m registry",
}


def _cpu_by_group(worker_pids: frozenset[int]) -> dict[str, float]:
    out = dict.fromkeys(GROUPS, 0.0)
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        for group, needle in GROUPS.items():
            if group == "worker" and int(proc.name) not in worker_pids:
                continue  # another worker on this machine (a test, a helper) is not ours
            if needle in cmd or (group == "postgres" and cmd.startswith("postgres")):
                # utime, stime, cutime, cstime are fields 14-17 (1-based) of /proc/<pid>/stat.
                out[group] += sum(int(x) for x in fields[11:15]) / _TICKS
                break
    return out


class CpuMeter:
    """``start()`` then ``stop()``: CPU seconds per group in between (processes that exited
    in between are not counted: stop before the worker exits). Only the given worker pids
    count as "worker"; PostgreSQL counts every backend, including other clients'."""

    def __init__(self, *worker_pids: int) -> None:
        self.worker_pids = frozenset(worker_pids)

    def start(self) -> None:
        self._before = _cpu_by_group(self.worker_pids)

    def stop(self) -> dict[str, float]:
        after = _cpu_by_group(self.worker_pids)
        return {g: round(max(after[g] - self._before.get(g, 0.0), 0.0), 2) for g in GROUPS}
