from __future__ import annotations

import time

import numpy as np

from app.vectors.schema import VectorRecord


def unit_rows(seed: int, n: int, d: int = 8) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def products(version: str, n: int, seed: int = 0, d: int = 8) -> list[VectorRecord]:
    now = int(time.time() * 1000)
    return [
        VectorRecord(
            f"P{i:05d}",
            v,
            version,
            now,
            category="sunglasses" if i % 2 else "lenses",
            in_stock=i % 3 != 0,
            price_band="lt25",
        )
        for i, v in enumerate(unit_rows(seed, n, d))
    ]
