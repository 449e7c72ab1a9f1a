"""The statistics of an experiment report: proportions, uplift intervals, an always-valid test.

The sequential test is the mixture SPRT (mSPRT) of Johari, Pekelis and Walsh ("Always valid
inference", 2017) on the difference of two proportions with the normal approximation: with the
estimated difference ``d`` and its variance ``V``, and a normal mixing prior of variance
``tau2`` on the true difference, the likelihood ratio is
``sqrt(V / (V + tau2)) * exp(d**2 * tau2 / (2 * V * (V + tau2)))``. ``1 / LR`` is an
always-valid p-value: it may be checked after every exposure and the experiment stopped as soon
as it falls below alpha, with the false positive rate still at most alpha (the caller keeps the
running minimum).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def rate(successes: int, trials: int) -> float:
    return successes / trials if trials else 0.0


def diff_interval(s1: int, n1: int, s0: int, n0: int, z: float = Z95) -> Interval | None:
    """Wald interval of p1 - p0."""
    if n1 == 0 or n0 == 0:
        return None
    p1, p0 = s1 / n1, s0 / n0
    se = math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    d = p1 - p0
    return Interval(d - z * se, d + z * se)


def relative_uplift(s1: int, n1: int, s0: int, n0: int, z: float = Z95) -> tuple[float, Interval]:
    """(p1/p0 - 1) and its interval by the delta method on log(p1/p0); None-safe via NaN."""
    if n1 == 0 or n0 == 0 or s1 == 0 or s0 == 0:
        return math.nan, Interval(math.nan, math.nan)
    p1, p0 = s1 / n1, s0 / n0
    se = math.sqrt((1 - p1) / s1 + (1 - p0) / s0)
    log_ratio = math.log(p1 / p0)
    return p1 / p0 - 1, Interval(math.exp(log_ratio - z * se) - 1, math.exp(log_ratio + z * se) - 1)


def msprt_p_value(s1: int, n1: int, s0: int, n0: int, tau2: float = 1e-4) -> float:
    """Always-valid p-value (this look's value; keep the running minimum over looks)."""
    if n1 < 2 or n0 < 2:
        return 1.0
    p1, p0 = s1 / n1, s0 / n0
    # Pooled variance under H0, floored so that all-zero arms do not divide by zero.
    pooled = (s1 + s0) / (n1 + n0)
    v = max(pooled * (1 - pooled), 1e-9) * (1 / n1 + 1 / n0)
    d = p1 - p0
    log_lr = 0.5 * math.log(v / (v + tau2)) + d * d * tau2 / (2 * v * (v + tau2))
    return 1.0 if log_lr <= 0 else min(1.0, math.exp(-log_lr))
