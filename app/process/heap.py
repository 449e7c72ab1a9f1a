"""Keep Python's cyclic garbage collector off the long-lived heap.

A worker holds a large, long-lived heap (Presidio's recognizers, scikit-learn and faiss objects,
the catalog, the models). Every full collection walks all of it, and under load collections come
often, stalling every stage and every HTTP answer for as long as each takes (measurements:
docs/benchmarks.md, Design decisions, app/process/heap.py). Objects alive once a service is
built are moved to the permanent generation (``gc.freeze``), and the young generation collects
less often, since stage batches allocate in bursts that mostly die together.
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)

#: (young, middle, old) thresholds; the default is (700, 10, 10).
THRESHOLDS = (50_000, 20, 100)


def tune() -> None:
    gc.set_threshold(*THRESHOLDS)


def settle(what: str, *, collect: bool = False) -> None:
    """Freeze what is alive now (call after building a long-lived service).

    ``collect`` first runs a full collection, so no garbage is frozen with it; it pauses the
    process for as long as a full collection takes, so only start-up asks for it. Without it,
    whatever garbage exists at that moment stays (a one-off amount, never freed).
    """
    if collect:
        gc.collect()
    gc.freeze()
    log.info("heap settled after %s: %d objects frozen", what, gc.get_freeze_count())
