"""Cleaning-stage throughput (events/s for one worker) and bot-detection precision/recall.

Run: ``.venv/bin/python bench/bench_clean.py [--events 20000]`` with the stack up (make up).
Pre-loads the raw topics with generated traffic, then starts one worker and measures from its
first cleaned record to its last (record timestamps written by the worker's producer).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.generator.produce import produce
from app.generator.traffic import TrafficGenerator
from app.settings import get_settings
from app.wire.codecs import decoder
from app.wire.topics import BOTS, CLEANED, DLQ
from bench.common import drain, write_results
from tests.integration.harness import Worker, unique


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    settings = get_settings()
    prefix = unique("bench-clean") + "."
    traffic = TrafficGenerator(seed=99, bot_share=0.1, malformed_share=0.05).events(args.events)
    label_of = {str(g.event["event_id"]): g.label for g in traffic if g.event is not None}
    asyncio.run(produce(dataclasses.replace(settings, topic_prefix=prefix), traffic))

    with tempfile.TemporaryDirectory() as tmp:
        worker = Worker(Path(tmp), TOPIC_PREFIX=prefix, LOG_LEVEL="warn")
        try:
            started = time.perf_counter()
            worker.start()
            topics = [prefix + t for t in [*CLEANED.values(), BOTS, DLQ]]
            got = asyncio.run(drain(settings, topics, len(traffic), timeout=600))
            wall = time.perf_counter() - started
        finally:
            worker.stop()

    records = [r for rs in got.values() for r in rs]
    stamps = sorted(r.timestamp for r in records)
    span = max((stamps[-1] - stamps[0]) / 1000, 1e-3)
    throughput = len(records) / span

    flagged = [decoder(BOTS)(r.value)["event_id"] for r in got[prefix + BOTS]]
    truth = Counter(label_of.values())
    tp = sum(1 for e in flagged if label_of.get(e) == "bot")
    precision = tp / len(flagged) if flagged else 0.0
    recall = tp / truth["bot"] if truth["bot"] else 0.0
    figures = {
        "events": len(records),
        "cleaning_events_per_second": round(throughput, 1),
        "wall_seconds_including_startup": round(wall, 1),
        "bots": {
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "flagged": len(flagged),
            "bot_events": truth["bot"],
        },
        "dead_lettered": len(got[prefix + DLQ]),
    }
    path = write_results("clean", figures)
    print(
        f"cleaning stage, one worker: {throughput:,.0f} events/s "
        f"({len(records)} events in {span:.1f}s of processing)"
    )
    print(
        f"bot detection on the labelled mix: precision {precision:.3f}, recall {recall:.3f} "
        f"({tp} of {truth['bot']} bot events caught, {len(flagged)} flagged)"
    )
    print(f"dead-lettered: {len(got[prefix + DLQ])}; results in {path}")


if __name__ == "__main__":
    main()
