"""A/B tests of ensemble weights and rule sets: definitions, assignment, exposures, report.

- Definitions come from a TOML/JSON file (:func:`load_config`) or the API, and live in
  ``rec_experiments`` (migration 0011). A variant carries ensemble ``weights`` and/or a
  ``ruleset`` name and a ``traffic`` share; the shares sum to 1.
- Assignment is deterministic: SHA-256 of ``"<experiment id>:<user key>"`` mapped to [0, 1) and
  cut by the cumulative shares, so every worker puts a user in the same variant without state.
  A stopped experiment assigns everyone to its control (the rollback).
- Every recommendation shown under an experiment is an exposure row (the items shown); views,
  add-to-carts and orders of a shown item within ``window_seconds`` after it are attributed to
  it (a view of a shown item is a click). Each exposure counts at most once per outcome kind,
  so CTR = exposures with a click / exposures and conversion = exposures with an order /
  exposures.
- :func:`report` turns the counts into rates, uplift against control with 95% intervals and an
  always-valid mSPRT p-value (:mod:`app.recommend.stats`): stop when it is below ``alpha``.
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from app.recommend import stats
from app.recommend.errors import ExperimentError

OUTCOME_OF_KIND = {"view": "click", "click": "click", "cart": "cart", "order": "order"}
STATUSES = ("running", "stopped")


@dataclass(frozen=True)
class Variant:
    name: str
    traffic: float
    weights: dict[str, float] | None = None
    ruleset: str | None = None


@dataclass(frozen=True)
class Experiment:
    id: str
    variants: tuple[Variant, ...]
    control: str
    name: str = ""
    window_seconds: float = 86400.0
    status: str = "running"
    stop_reason: str | None = None

    def __post_init__(self) -> None:
        names = [v.name for v in self.variants]
        if not self.id or not isinstance(self.id, str):
            raise ExperimentError("An experiment needs a non-empty string id")
        if len(names) < 2 or len(set(names)) != len(names):
            raise ExperimentError(
                f"Experiment {self.id!r} needs at least two variants with distinct names, "
                f"got {names}"
            )
        if self.control not in names:
            raise ExperimentError(
                f"Experiment {self.id!r}: control {self.control!r} is not one of {names}"
            )
        if any(not v.traffic >= 0 for v in self.variants):
            raise ExperimentError(f"Experiment {self.id!r}: traffic shares must be >= 0")
        total = sum(v.traffic for v in self.variants)
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise ExperimentError(
                f"Experiment {self.id!r}: traffic shares sum to {total}; make them sum to 1"
            )
        if not self.window_seconds > 0:
            raise ExperimentError(f"Experiment {self.id!r}: window_seconds must be positive")
        if self.status not in STATUSES:
            raise ExperimentError(f"Experiment {self.id!r}: status must be one of {STATUSES}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Experiment:
        try:
            variants = tuple(
                Variant(
                    name=str(v["name"]),
                    traffic=float(v["traffic"]),
                    weights={str(g): float(w) for g, w in v["weights"].items()}
                    if v.get("weights") is not None
                    else None,
                    ruleset=None if v.get("ruleset") is None else str(v["ruleset"]),
                )
                for v in data["variants"]
            )
            return cls(
                id=str(data["id"]),
                name=str(data.get("name", "")),
                variants=variants,
                control=str(data.get("control", variants[0].name if variants else "")),
                window_seconds=float(data.get("window_seconds", 86400.0)),
                status=str(data.get("status", "running")),
                stop_reason=data.get("stop_reason"),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise ExperimentError(
                f"Experiment definition is malformed ({type(err).__name__}: {err}); expected "
                '{"id", "control", "variants": [{"name", "traffic", "weights"?, "ruleset"?}]}'
            ) from err

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def variant(self, name: str) -> Variant:
        for v in self.variants:
            if v.name == name:
                return v
        raise ExperimentError(f"Experiment {self.id!r} has no variant {name!r}")


def bucket(experiment_id: str, user_key: str) -> float:
    """The user's fixed position in [0, 1) for this experiment."""
    digest = hashlib.sha256(f"{experiment_id}:{user_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def assign(experiment: Experiment, user_key: str) -> Variant:
    if experiment.status != "running":
        return experiment.variant(experiment.control)
    x, acc = bucket(experiment.id, user_key), 0.0
    for v in experiment.variants:
        acc += v.traffic
        if x < acc:
            return v
    return experiment.variants[-1]


def load_config(path: Path) -> list[Experiment]:
    """Experiments from a TOML (``[[experiments]]`` tables) or JSON (a list) file."""
    text = path.read_text(encoding="utf-8")
    try:
        raw = tomllib.loads(text)["experiments"] if path.suffix == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, KeyError) as err:
        raise ExperimentError(
            f"Experiment config {path} is unreadable ({err}); write a JSON list or TOML "
            "[[experiments]] tables"
        ) from err
    if isinstance(raw, dict):
        raw = raw.get("experiments", [])
    return [Experiment.from_dict(d) for d in raw]


@dataclass
class Counts:
    exposures: int = 0
    users: int = 0
    clicks: int = 0
    carts: int = 0
    orders: int = 0


class ExperimentStore(Protocol):
    async def create(self, experiment: Experiment) -> None: ...

    async def get(self, experiment_id: str) -> Experiment: ...

    async def running(self) -> list[Experiment]: ...

    async def stop(self, experiment_id: str, reason: str) -> Experiment: ...

    async def log_exposure(
        self, experiment_id: str, variant: str, user_key: str, items: Sequence[str], ts: float
    ) -> None: ...

    async def log_event(self, user_key: str, item_id: str, kind: str, ts: float) -> None: ...

    async def counts(self, experiment_id: str) -> dict[str, Counts]: ...

    async def record_p_value(self, experiment_id: str, p_value: float) -> float:
        """Store min(previous, p_value) and return it (the running minimum)."""
        ...


@dataclass
class _Exposure:
    experiment_id: str
    variant: str
    user_key: str
    items: frozenset[str]
    ts: float


@dataclass
class MemoryExperimentStore:
    """The same semantics as the PostgreSQL store, in memory: for tests and offline runs."""

    experiments: dict[str, Experiment] = field(default_factory=dict)
    exposures: list[_Exposure] = field(default_factory=list)
    events: list[tuple[str, str, str, float]] = field(default_factory=list)
    min_p: dict[str, float] = field(default_factory=dict)

    async def create(self, experiment: Experiment) -> None:
        if experiment.id in self.experiments:
            raise ExperimentError(f"Experiment {experiment.id!r} exists; pick another id", 409)
        self.experiments[experiment.id] = experiment

    async def get(self, experiment_id: str) -> Experiment:
        try:
            return self.experiments[experiment_id]
        except KeyError:
            raise ExperimentError(f"No experiment {experiment_id!r}", 404) from None

    async def running(self) -> list[Experiment]:
        return [e for e in self.experiments.values() if e.status == "running"]

    async def stop(self, experiment_id: str, reason: str) -> Experiment:
        e = replace(await self.get(experiment_id), status="stopped", stop_reason=reason)
        self.experiments[experiment_id] = e
        return e

    async def log_exposure(
        self, experiment_id: str, variant: str, user_key: str, items: Sequence[str], ts: float
    ) -> None:
        self.exposures.append(_Exposure(experiment_id, variant, user_key, frozenset(items), ts))

    async def log_event(self, user_key: str, item_id: str, kind: str, ts: float) -> None:
        outcome = OUTCOME_OF_KIND.get(kind)
        if outcome is not None:
            self.events.append((user_key, item_id, outcome, ts))

    async def counts(self, experiment_id: str) -> dict[str, Counts]:
        e = await self.get(experiment_id)
        out = {v.name: Counts() for v in e.variants}
        users: dict[str, set[str]] = {v.name: set() for v in e.variants}
        for x in self.exposures:
            if x.experiment_id != experiment_id:
                continue
            c = out[x.variant]
            c.exposures += 1
            users[x.variant].add(x.user_key)
            got = {
                kind
                for u, i, kind, ts in self.events
                if u == x.user_key and i in x.items and x.ts <= ts < x.ts + e.window_seconds
            }
            c.clicks += "click" in got
            c.carts += "cart" in got
            c.orders += "order" in got
        for name, c in out.items():
            c.users = len(users[name])
        return out

    async def record_p_value(self, experiment_id: str, p_value: float) -> float:
        self.min_p[experiment_id] = min(self.min_p.get(experiment_id, 1.0), p_value)
        return self.min_p[experiment_id]


def _metric(c: Counts, base: Counts, s: str) -> dict[str, Any]:
    s1, s0 = getattr(c, s), getattr(base, s)
    d = stats.diff_interval(s1, c.exposures, s0, base.exposures)
    rel, rel_ci = stats.relative_uplift(s1, c.exposures, s0, base.exposures)
    return {
        "difference": stats.rate(s1, c.exposures) - stats.rate(s0, base.exposures),
        "difference_ci95": None if d is None else [d.low, d.high],
        "relative_uplift": None if math.isnan(rel) else rel,
        "relative_uplift_ci95": None if math.isnan(rel) else [rel_ci.low, rel_ci.high],
        "p_value_always_valid": stats.msprt_p_value(s1, c.exposures, s0, base.exposures),
    }


async def report(store: ExperimentStore, experiment_id: str, alpha: float = 0.05) -> dict[str, Any]:
    """Per-variant figures, uplift against control, and whether the test may stop now."""
    e = await store.get(experiment_id)
    counts = await store.counts(experiment_id)
    base = counts[e.control]
    variants: dict[str, Any] = {}
    look_p = 1.0
    for v in e.variants:
        c = counts[v.name]
        row: dict[str, Any] = {
            "traffic": v.traffic,
            "exposures": c.exposures,
            "users": c.users,
            "clicks": c.clicks,
            "add_to_carts": c.carts,
            "orders": c.orders,
            "ctr": stats.rate(c.clicks, c.exposures),
            "add_to_cart_rate": stats.rate(c.carts, c.exposures),
            "conversion": stats.rate(c.orders, c.exposures),
        }
        if v.name != e.control:
            row["vs_control"] = {
                "ctr": _metric(c, base, "clicks"),
                "conversion": _metric(c, base, "orders"),
            }
            look_p = min(look_p, row["vs_control"]["conversion"]["p_value_always_valid"])
        variants[v.name] = row
    # Several treatment arms: Bonferroni over them keeps the always-valid guarantee.
    look_p = min(1.0, look_p * max(1, len(e.variants) - 1))
    running_p = await store.record_p_value(experiment_id, look_p)
    return {
        "experiment": e.to_dict(),
        "variants": variants,
        "sequential_test": {
            "method": "mSPRT (normal mixture) on conversion, always-valid p-value",
            "p_value": running_p,
            "alpha": alpha,
            "can_stop": running_p < alpha,
        },
    }


class Experiments:
    """Serving-side view: the running experiments, cached, and the assignment of a user."""

    def __init__(self, store: ExperimentStore) -> None:
        self.store = store
        self._running: list[Experiment] = []

    async def refresh(self) -> None:
        self._running = await self.store.running()

    def assignment(
        self, user_key: str, experiment_id: str | None = None
    ) -> tuple[Experiment, Variant] | None:
        """The user's variant in ``experiment_id`` (default: the oldest running experiment);
        None when it does not run (stopped experiments serve control: no exposure is logged)."""
        for e in self._running:
            if experiment_id is None or e.id == experiment_id:
                return e, assign(e, user_key)
        return None

    async def stop(self, experiment_id: str, reason: str = "stopped") -> Experiment:
        """Stop and roll everyone back to control (the next refresh serves control)."""
        e = await self.store.stop(experiment_id, reason)
        self._running = [x for x in self._running if x.id != experiment_id]
        return e
