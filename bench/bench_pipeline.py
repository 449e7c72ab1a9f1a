"""Pipeline throughput: one Headwater worker (raw → cleaned → enriched → action) against the
ceiling (plain aiokafka, three hops) and a naive Faust pipeline (three hops, one send per
event), on the same generated events on the real broker. Prints the ratios.

Run: ``.venv/bin/python -m bench.bench_pipeline [--events 30000]`` with the stack up.
Each system reads the same pre-loaded raw topics with its own consumer group, one after the
other (never two at once: they share two cores). Rates are events over the span from the first
output record to the last (broker record timestamps written by the system's own producer), so
start-up and group joins are not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from app.generator.produce import produce
from app.generator.traffic import Generated, TrafficGenerator
from app.settings import Settings, get_settings
from app.wire.topics import BOTS, CLEANED, DLQ, RAW, RECOMMENDATIONS
from bench.common import write_results
from bench.cpu import CpuMeter
from bench.pipeline.hops import HOPS, create_topics, hop_topic
from bench.pipeline.plain import SYSTEM as PLAIN
from bench.pipeline.plain import run_plain
from tests.integration.harness import Worker, unique, wait_until

NAIVE = "naive"
BATCHED = "batched"


def _partitions(settings: Settings, topics: list[str]) -> list[TopicPartition]:
    """Every topic here was created with the configured partition count."""
    return [TopicPartition(t, p) for t in set(topics) for p in range(settings.topic_partitions)]


async def _span(settings: Settings, first: list[str], last: list[str], timeout: float) -> float:
    """Seconds from the earliest record on ``first`` topics to the latest on ``last``."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        enable_auto_commit=False,
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )
    await consumer.start()
    lo, hi = float("inf"), 0.0
    try:
        tps = _partitions(settings, first + last)
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        end = await consumer.end_offsets(tps)
        remaining = {tp for tp, off in end.items() if off > 0}
        async with asyncio.timeout(timeout):
            while remaining:
                for tp, records in (await consumer.getmany(timeout_ms=500)).items():
                    for r in records:
                        if tp.topic in first:
                            lo = min(lo, r.timestamp / 1000)
                        if tp.topic in last:
                            hi = max(hi, r.timestamp / 1000)
                    if records and records[-1].offset + 1 >= end[tp]:
                        remaining.discard(tp)
    finally:
        await consumer.stop()
    return hi - lo


def _metric(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def run_naive(settings: Settings, prefix: str, events: int, tmp: Path, mode: str = NAIVE) -> float:
    out = [hop_topic(prefix, mode, f, HOPS) for f in RAW]
    worker = Worker(
        tmp,
        module="bench.pipeline.naive_faust",
        ready_path="/",
        BENCH_PREFIX=prefix,
        BENCH_APP_ID=unique("bench-naive"),
        BENCH_BROKER=settings.broker_url,
        BENCH_MODE=mode,
    )
    worker.env["BENCH_WEB_PORT"] = str(worker.port)
    worker.env["BENCH_DATA_DIR"] = str(worker.data_dir)
    try:
        worker.start()
        wait_until(
            f"{events} events on the naive pipeline's last hop",
            lambda: asyncio.run(_count(settings, out)) >= events or None,
            timeout=1200,
            every=2,
        )
    finally:
        worker.stop()
    first = [hop_topic(prefix, mode, f, 1) for f in RAW]
    return events / asyncio.run(_span(settings, first, out, 120))


async def _count(settings: Settings, topics: list[str]) -> int:
    """Records on ``topics`` so far (sum of end offsets)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap)
    await consumer.start()
    try:
        return sum((await consumer.end_offsets(_partitions(settings, topics))).values())
    finally:
        await consumer.stop()


def run_headwater(
    settings: Settings, traffic: list[Generated], workers: int, tmp: Path
) -> dict[str, Any]:
    """``workers`` workers in one consumer group; the events are produced once all have
    joined, so the span holds no start-up and no rebalance."""
    prefix = unique("bench-hw") + "."
    app_id = unique("bench-hw")
    group = [Worker(tmp, TOPIC_PREFIX=prefix, APP_ID=app_id) for _ in range(workers)]
    events = len(traffic)
    try:
        for w in group:
            w.start()
        for w in group:
            wait_until(f"worker {w.port} ready", partial(_ready, w), 120)
        time.sleep(5 if workers > 1 else 1)  # the group settles after the last join
        meter = CpuMeter(*(w.proc.pid for w in group if w.proc is not None))
        meter.start()
        asyncio.run(produce(dataclasses.replace(settings, topic_prefix=prefix), traffic))

        def done() -> list[str] | None:
            texts = [w.get("/metrics").text for w in group]

            def total(name: str, **labels: str) -> float:
                return sum(_metric(t, name, **labels) for t in texts)

            cleaned_in = total("headwater_stage_in_total", stage="clean")
            enriched = total(
                "headwater_stage_out_total", stage="enrich", destination="enriched.events"
            )
            acted = total("headwater_stage_in_total", stage="act")
            return texts if cleaned_in >= events and enriched > 0 and acted >= enriched else None

        texts = wait_until(f"{events} events through every stage", done, 1800, every=1)
        cpu = meter.stop()
    finally:
        for w in group:
            w.stop()
    first = [prefix + t for t in [*CLEANED.values(), BOTS, DLQ]]
    span = asyncio.run(_span(settings, first, [prefix + RECOMMENDATIONS], 120))
    stages = {}
    for stage in ("clean", "enrich", "act"):
        count = sum(_metric(t, "headwater_stage_batch_seconds_count", stage=stage) for t in texts)
        busy = sum(_metric(t, "headwater_stage_batch_seconds_sum", stage=stage) for t in texts)
        consumed = sum(_metric(t, "headwater_stage_in_total", stage=stage) for t in texts)
        stages[stage] = {
            "events": int(consumed),
            "batches": int(count),
            "mean_batch_ms": round(1000 * busy / count, 2) if count else None,
            "busy_seconds": round(busy, 2),
        }
    return {
        "workers": workers,
        "events_per_second": events / span,
        "span_seconds": round(span, 2),
        "stages": stages,
        "cpu_seconds": cpu,
        "worker_cpu_ms_per_event": round(1000 * cpu["worker"] / events, 3),
    }


def _ready(worker: Worker) -> bool | None:
    return "[^Worker]: Ready" in worker.log_tail(400) or None


def _print_headwater(label: str, hw: dict[str, Any]) -> None:
    print(f"{label} {hw['events_per_second']:10,.0f} events/s (raw → cleaned → enriched → action)")
    print(
        "  CPU seconds while it ran: "
        + ", ".join(f"{g} {c}" for g, c in hw["cpu_seconds"].items())
        + f"; workers {hw['worker_cpu_ms_per_event']} ms per event"
    )
    for stage, st in hw["stages"].items():
        print(
            f"  {stage:7s} {st['events']:7d} events in {st['batches']:5d} batches, "
            f"mean {st['mean_batch_ms']} ms per batch, busy {st['busy_seconds']} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument(
        "--no-scaling", dest="scaling", action="store_false", help="skip the two-worker run"
    )
    parser.add_argument(
        "--skip", action="append", default=[], choices=["plain", "naive", "batched", "headwater"]
    )
    args = parser.parse_args()
    settings = get_settings()
    prefix = unique("bench-pipe") + "."
    traffic = TrafficGenerator(seed=17, malformed_share=0.0).events(args.events)
    asyncio.run(produce(dataclasses.replace(settings, topic_prefix=prefix), traffic))
    hop_topics = [
        hop_topic(prefix, s, f, h)
        for s in (PLAIN, NAIVE, BATCHED)
        for f in RAW
        for h in range(1, HOPS + 1)
    ]
    asyncio.run(create_topics(settings.kafka_bootstrap, hop_topics, settings.topic_partitions))
    time.sleep(3)  # partition leaders of new topics are elected asynchronously

    figures: dict[str, Any] = {"events": args.events}
    if "plain" not in args.skip:
        plain = asyncio.run(run_plain(settings.kafka_bootstrap, prefix, args.events, 600))
        figures["plain_aiokafka_3_hops"] = {"events_per_second": round(plain, 1)}
        print(f"plain aiokafka, 3 hops:  {plain:10,.0f} events/s")
    with tempfile.TemporaryDirectory() as tmp:
        if "naive" not in args.skip:
            naive = run_naive(settings, prefix, args.events, Path(tmp))
            figures["naive_faust_3_hops"] = {"events_per_second": round(naive, 1)}
            print(f"naive Faust, 3 hops:     {naive:10,.0f} events/s")
        if "batched" not in args.skip:
            batched = run_naive(settings, prefix, args.events, Path(tmp), BATCHED)
            figures["batched_faust_3_hops"] = {"events_per_second": round(batched, 1)}
            print(f"batched Faust, 3 hops:   {batched:10,.0f} events/s")
        if "headwater" in args.skip:
            print(f"results in {write_results('pipeline-partial', figures)}")
            return
        hw = run_headwater(settings, traffic, 1, Path(tmp))
        two = run_headwater(settings, traffic, 2, Path(tmp)) if args.scaling else None
    rate = hw["events_per_second"]
    figures["headwater_one_worker"] = {**hw, "events_per_second": round(rate, 1)}
    _print_headwater("Headwater, one worker: ", hw)
    if two is not None:
        figures["headwater_two_workers"] = {
            **two,
            "events_per_second": round(two["events_per_second"], 1),
        }
        _print_headwater("Headwater, two workers:", two)
        scale = two["events_per_second"] / rate
        figures["scaling_two_over_one"] = round(scale, 2)
        print(f"two workers / one worker: {scale:.2f} (target ≥ 1.7)")
    if "plain_aiokafka_3_hops" in figures:
        r = rate / figures["plain_aiokafka_3_hops"]["events_per_second"]
        figures["ratio_to_plain_aiokafka"] = round(r, 3)
        print(f"ratio to the plain aiokafka ceiling: {r:.3f} (target ≥ 0.5)")
    if "naive_faust_3_hops" in figures:
        r = rate / figures["naive_faust_3_hops"]["events_per_second"]
        figures["ratio_to_naive_faust"] = round(r, 2)
        print(f"ratio to the naive Faust pipeline:   {r:.2f} (target ≥ 5)")
    print(f"results in {write_results('pipeline', figures)}")


if __name__ == "__main__":
    main()
