"""Top-10 retrieval latency and recall at 10k and 100k 64-d vectors: Milvus Lite vs hot index.

    .venv/bin/python -m bench.bench_retrieval [--sizes 10000,100000] [--queries 300]

Data: unit vectors drawn around 1,000 cluster centres (embeddings of a catalog are clustered;
uniform random directions are the worst case of every approximate index and are not what we
serve). Queries are perturbed catalog vectors. Ground truth is exact inner-product search.
Measured one query at a time, as the serving path asks. Milvus uses its own collections under a
unique prefix, dropped at the end. Writes bench/results/retrieval.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np
from pymilvus import MilvusClient

from app.services.milvus import Milvus
from app.settings import get_settings
from app.vectors.hot_index import HotIndex
from app.vectors.schema import VectorRecord
from app.vectors.store import VectorStore

DIM, K = 64, 10
EXACT_BELOW = HotIndex(DIM).exact_below  # the serving default: exact below, IVF above
RESULTS = Path(__file__).resolve().parent / "results" / "retrieval.json"


def dataset(n: int, queries: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(1000, DIM))
    x = centres[rng.integers(0, 1000, n)] + 0.6 * rng.normal(size=(n, DIM))
    x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    q = x[rng.integers(0, n, queries)] + 0.3 * rng.normal(size=(queries, DIM)) / np.sqrt(DIM)
    q = (q / np.linalg.norm(q, axis=1, keepdims=True)).astype(np.float32)
    return x, q


def exact(x: np.ndarray, q: np.ndarray) -> list[set[int]]:
    return [set(np.argpartition(-(x @ v), K)[:K].tolist()) for v in q]


def summary(latencies: list[float], found: list[set[int]], truth: list[set[int]]) -> dict[str, Any]:
    ms = np.array(latencies) * 1000
    recall = float(np.mean([len(f & t) / K for f, t in zip(found, truth, strict=True)]))
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p99_ms": round(float(np.percentile(ms, 99)), 3),
        "recall_at_10": round(recall, 4),
    }


def bench_hot(
    x: np.ndarray, q: np.ndarray, truth: list[set[int]], exact_below: int
) -> dict[str, Any]:
    idx = HotIndex(DIM, exact_below=exact_below)
    started = time.perf_counter()
    idx.build([str(i) for i in range(len(x))], x)
    build_s = time.perf_counter() - started
    for v in q[:20]:  # warm caches
        idx.search(v, K)
    lat, found = [], []
    for v in q:
        t = time.perf_counter()
        hits = idx.search(v, K)
        lat.append(time.perf_counter() - t)
        found.append({int(h) for h, _ in hits})
    mode = "ivf_flat" if idx.approximate else "exact"
    return {"mode": mode, "build_s": round(build_s, 2), **summary(lat, found, truth)}


async def bench_milvus(
    store: VectorStore, version: str, x: np.ndarray, q: np.ndarray, truth: list[set[int]]
) -> dict[str, Any]:
    await store.ensure("products", version)
    started = time.perf_counter()
    for lo in range(0, len(x), 5000):
        batch = [
            VectorRecord(str(i), x[i], version, 0, category="c", in_stock=True, price_band="b")
            for i in range(lo, min(lo + 5000, len(x)))
        ]
        await store.upsert("products", batch, version=version)
        await store.flush()
    await store.seal("products", version=version)  # unflushed rows would be brute-forced
    load_s = time.perf_counter() - started
    for v in q[:10]:
        await store.search("products", v, K, version=version)
    lat, found = [], []
    for v in q:
        t = time.perf_counter()
        hits = await store.search("products", v, K, version=version)
        lat.append(time.perf_counter() - t)
        found.append({int(h.id) for h in hits})
    return {"index": "HNSW M=16 ef=128", "load_s": round(load_s, 1), **summary(lat, found, truth)}


async def main(sizes: list[int], queries: int, milvus_queries: int) -> dict[str, Any]:
    settings = get_settings()
    prefix = f"bench{uuid.uuid4().hex[:8]}_"
    milvus = Milvus(settings.milvus_uri, threads=2)
    store = VectorStore(milvus, prefix=prefix, batch_size=5000)
    out: dict[str, Any] = {}
    try:
        for n in sizes:
            x, q = dataset(n, queries)
            truth = exact(x, q)
            row: dict[str, Any] = {
                "hot_index_ivf": bench_hot(x, q, truth, exact_below=0),
                "hot_index_exact": bench_hot(x, q, truth, exact_below=n + 1),
                "milvus_lite": await bench_milvus(
                    store, f"n{n}", x, q[:milvus_queries], truth[:milvus_queries]
                ),
            }
            out[str(n)] = row | {"hot_index_default": "exact" if n < EXACT_BELOW else "ivf"}
            for name, fig in row.items():
                print(f"{n:>7} {name:<16} " + " ".join(f"{k}={v}" for k, v in fig.items()))
            await milvus.run(
                lambda c, n=n: c.drop_collection(store.names.physical("products", f"n{n}"))
            )
    finally:
        await milvus.on_stop()
        client = MilvusClient(uri=settings.milvus_uri)
        for name in client.list_collections():
            if name.startswith(prefix):
                client.drop_collection(name)
        client.close()
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--milvus-queries", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    started = time.perf_counter()
    figures = asyncio.run(
        main([int(s) for s in args.sizes.split(",")], args.queries, args.milvus_queries)
    )
    doc = {
        "benchmark": "retrieval",
        "dim": DIM,
        "k": K,
        "machine": {"cpus": len(os.sched_getaffinity(0)), "python": platform.python_version()},
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "wall_s": round(time.perf_counter() - started, 1),
        "sizes": figures,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(doc, indent=2) + "\n")
    print(f"wrote {RESULTS} in {doc['wall_s']}s")
