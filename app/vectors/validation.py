"""Checks every vector passes before it is written: dimension, finite values, norm.

All our encoders and blends produce unit vectors searched by inner product, so a norm far from 1
means a bug upstream (an empty blend, a NaN in a model, a wrong dimension after a model change).
Such a vector would be silently wrong in every search, so it is refused and counted instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.vectors.errors import VectorValidationError
from app.vectors.metrics import VECTORS_REJECTED

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Bounds:
    """What a vector of one collection must satisfy."""

    dim: int
    min_norm: float = 0.98
    max_norm: float = 1.02


def check(entity: str, entity_id: str, vector: object, bounds: Bounds) -> Vector:
    """Return ``vector`` as float32, or raise :class:`VectorValidationError` and count it."""
    reason, problem = _problem(vector, bounds)
    if reason:
        VECTORS_REJECTED.labels(entity, reason).inc()
        raise VectorValidationError(entity, entity_id, problem)
    return np.asarray(vector, dtype=np.float32)


def check_batch(entity: str, items: Sequence[tuple[str, object]], bounds: Bounds) -> list[Vector]:
    """Check all of ``items``; if any fails, count every failure and raise for the first."""
    out: list[Vector] = []
    first: tuple[str, str] | None = None
    rejected = 0
    for entity_id, vector in items:
        reason, problem = _problem(vector, bounds)
        if reason:
            VECTORS_REJECTED.labels(entity, reason).inc()
            rejected += 1
            first = first or (entity_id, problem)
            continue
        out.append(np.asarray(vector, dtype=np.float32))
    if first is not None:
        raise VectorValidationError(entity, first[0], first[1], rejected=rejected)
    return out


def problem(vector: object, bounds: Bounds) -> str:
    """What is wrong with ``vector`` ('' when nothing), without counting it."""
    return _problem(vector, bounds)[1]


def _problem(vector: object, bounds: Bounds) -> tuple[str, str]:
    try:
        arr = np.asarray(vector, dtype=np.float64)
    except (TypeError, ValueError):
        return "type", f"is not numeric ({type(vector).__name__})"
    if arr.ndim != 1 or arr.shape[0] != bounds.dim:
        return "dimension", f"has shape {arr.shape}, expected ({bounds.dim},)"
    if not np.isfinite(arr).all():
        bad = int((~np.isfinite(arr)).sum())
        return "not_finite", f"has {bad} NaN or infinite values"
    norm = float(np.linalg.norm(arr))
    if not bounds.min_norm <= norm <= bounds.max_norm:
        return "norm", f"has norm {norm:.4g}, expected [{bounds.min_norm}, {bounds.max_norm}]"
    return "", ""
