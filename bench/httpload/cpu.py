"""CPU used during a run, from /proc: the whole machine and the worker alone.

The machine has two cores shared with other benchmarks; tail latencies move with what else runs,
so every measured run reports how busy the machine was next to its percentiles.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

TICK = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1  # /proc/stat counts every core of the machine


@dataclass(frozen=True)
class Sample:
    at: float
    host_ticks: int
    worker_ticks: int


def sample(worker_pid: int) -> Sample:
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...: busy is all but idle and iowait.
    busy = sum(fields[:8]) - fields[3] - fields[4]
    with open(f"/proc/{worker_pid}/stat") as f:
        # The command name may contain spaces: fields are counted after its closing paren.
        rest = f.read().rsplit(")", 1)[1].split()
    return Sample(time.monotonic(), busy, int(rest[11]) + int(rest[12]))


def cores_used(before: Sample, after: Sample) -> dict[str, float]:
    """Cores busy on average between the samples: the machine, the worker, everything else."""
    seconds = max(after.at - before.at, 1e-6)
    host = (after.host_ticks - before.host_ticks) / TICK / seconds
    worker = (after.worker_ticks - before.worker_ticks) / TICK / seconds
    return {
        "host_cores": round(host, 2),
        "worker_cores": round(worker, 2),
        "other_cores": round(max(host - worker, 0.0), 2),
    }


def wait_quiet(worker_pid: int, *, idle_cores: float, timeout: float) -> dict[str, float]:
    """Wait (up to ``timeout`` s) for a second in which everything but the worker uses less
    than ``idle_cores``, so a run does not start in the middle of another benchmark; return the
    last second's usage either way."""
    deadline = time.monotonic() + timeout
    while True:
        before = sample(worker_pid)
        time.sleep(1)
        used = cores_used(before, sample(worker_pid))
        if used["other_cores"] < idle_cores or time.monotonic() >= deadline:
            return used
