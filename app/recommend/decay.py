"""Exponential time decay kept in forward form, so that ranking needs no per-request pass.

A value recorded at time ``t`` with weight ``w`` is stored as ``w * 2 ** ((t - ref) / half_life)``
(``ref`` a fixed reference time). Every stored value decays at the same rate, so their order
never changes with ``now``; only reading an absolute value needs :meth:`Decay.at`. When the
exponent grows large the caller rebases (divides everything by one factor and moves ``ref``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Rebase once stored values exceed 2 ** REBASE_EXPONENT: far from float64 overflow.
REBASE_EXPONENT = 200.0


@dataclass
class Decay:
    half_life: float
    ref: float | None = None

    def __post_init__(self) -> None:
        if not self.half_life > 0:
            raise ValueError(f"half_life must be positive seconds, got {self.half_life!r}")

    def forward(self, weight: float, ts: float) -> float:
        if self.ref is None:
            self.ref = ts
        return weight * 2.0 ** ((ts - self.ref) / self.half_life)

    def at(self, stored: float, now: float) -> float:
        """The stored value's decayed weight as seen at ``now``."""
        if self.ref is None:
            return 0.0
        return stored * 2.0 ** ((self.ref - now) / self.half_life)

    def needs_rebase(self, ts: float) -> bool:
        return self.ref is not None and (ts - self.ref) / self.half_life > REBASE_EXPONENT

    def rebase_factor(self, new_ref: float) -> float:
        """Multiply every stored value by this, then set ``ref = new_ref``."""
        assert self.ref is not None
        factor = 2.0 ** ((self.ref - new_ref) / self.half_life)
        self.ref = new_ref
        return factor if factor > 0 else math.ulp(0.0)
