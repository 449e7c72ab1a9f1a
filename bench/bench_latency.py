"""Event-to-recommendation latency at a fixed offered load, as a subscriber sees it.

Run: ``.venv/bin/python -m bench.bench_latency [--rate 1000] [--seconds 60] [--settle 15]`` with
the stack up. One worker; generated shoppers' events are produced to the raw topics at ``--rate``
events/s (paced, open loop); a subscriber reads ``action.recommendations`` as it is written.
An event's latency is from its produce time (the raw record's timestamp) to the arrival of the
first recommendation for its user that answers it: one whose ``trigger_event_id`` was produced
at or after it. Within one raw topic a user's events are applied in order, so that list
reflects the event; across the four raw topics (one cleaning agent each) a later event of
another family can overtake it, and the figure is then too low: the per-stage figures, matched
by event id, have no such blind spot. Events produced in the first ``--settle`` seconds of load
are also reported apart: a fresh worker falls behind there and catches up within the default
``--settle`` (measurements: docs/benchmarks.md, Design decisions, bench/bench_latency.py).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import dataclasses
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from app.generator.produce import produce
from app.generator.traffic import TrafficGenerator
from app.settings import Settings, get_settings
from app.wire.codecs import decoder
from app.wire.topics import CLEANED, ENRICHED, RAW, RECOMMENDATIONS
from bench.common import drain, write_results
from tests.integration.harness import Worker, unique, wait_until


class Subscriber:
    """Reads recommendations (arrival time) and enriched events (event → user) live."""

    def __init__(self, settings: Settings, prefix: str) -> None:
        self.settings, self.prefix = settings, prefix
        self.arrivals: list[tuple[str, str | None, float]] = []  # user, trigger, arrived
        self.user_of: dict[str, str] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self.settings.kafka_bootstrap,
            enable_auto_commit=False,
            fetch_max_wait_ms=5,  # a storefront subscriber wants records as they land
        )
        await self._consumer.start()
        tps = [
            TopicPartition(self.prefix + t, p)
            for t in (RECOMMENDATIONS, ENRICHED)
            for p in range(self.settings.topic_partitions)
        ]
        self._consumer.assign(tps)
        await self._consumer.seek_to_end(*tps)
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        rec_topic = self.prefix + RECOMMENDATIONS
        decode_rec, decode_enriched = decoder(RECOMMENDATIONS), decoder(ENRICHED)
        while True:
            batches = await self._consumer.getmany(timeout_ms=50)
            now = time.time()
            for tp, records in batches.items():
                for r in records:
                    if tp.topic == rec_topic:
                        rec = decode_rec(r.value)
                        self.arrivals.append((rec["user_key"], rec.get("trigger_event_id"), now))
                    else:
                        ev = decode_enriched(r.value)
                        self.user_of[str(ev["event_id"])] = ev["user_key"]

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._consumer.stop()


async def _offer(
    settings: Settings, worker_settings: Settings, events: list[Any], rate: float, drain_s: float
) -> tuple[Subscriber, float]:
    sub = Subscriber(settings, worker_settings.topic_prefix)
    await sub.start()
    try:
        took = await produce(worker_settings, events, rate=rate)
        await asyncio.sleep(drain_s)  # let the backlog (if any) reach the subscriber
    finally:
        await sub.stop()
    return sub, took


async def _produce_times(settings: Settings, prefix: str, n: int) -> dict[str, float]:
    """event id → produce time, from the raw records' timestamps."""
    got = await drain(settings, [prefix + t for t in RAW.values()], n, timeout=120)
    by_topic = {prefix + t: decoder(t) for t in RAW.values()}
    return {
        str(by_topic[topic](r.value)["event_id"]): r.timestamp / 1000
        for topic, records in got.items()
        for r in records
    }


async def _record_times(settings: Settings, prefix: str, logical: list[str]) -> dict[str, float]:
    """event id → its earliest record's timestamp on ``logical`` topics, read to their end."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        enable_auto_commit=False,
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )
    await consumer.start()
    out: dict[str, float] = {}
    try:
        tps = [
            TopicPartition(prefix + t, p) for t in logical for p in range(settings.topic_partitions)
        ]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        end = await consumer.end_offsets(tps)
        decode = {prefix + t: decoder(t) for t in logical}
        async with asyncio.timeout(120):
            while [tp for tp in tps if await consumer.position(tp) < end[tp]]:
                for tp, records in (await consumer.getmany(timeout_ms=500)).items():
                    for r in records:
                        event_id = str(decode[tp.topic](r.value)["event_id"])
                        out[event_id] = min(
                            out.get(event_id, r.timestamp / 1000), r.timestamp / 1000
                        )
    finally:
        await consumer.stop()
    return out


def _hop(start: dict[str, float], end: dict[str, float]) -> dict[str, float]:
    """p50/p99 in ms of ``end - start`` over the events in both."""
    return _summary([1000 * (end[e] - t) for e, t in start.items() if e in end])


def _summary(ms: list[float]) -> dict[str, Any]:
    ms = sorted(ms)
    if not ms:
        return {"events": 0, "p50_ms": None, "p99_ms": None}
    return {"events": len(ms), "p50_ms": round(_pct(ms, 50), 1), "p99_ms": round(_pct(ms, 99), 1)}


def latencies(
    produced: dict[str, float],
    user_of: dict[str, str],
    arrivals: list[tuple[str, Any, float]],
    since: float = 0.0,
) -> tuple[list[float], int]:
    """Per event produced at or after ``since``: seconds to the first list answering it; and
    how many never got one."""
    lists: dict[str, list[tuple[float, float]]] = defaultdict(list)  # user → (trigger t, at)
    for user, trigger, at in arrivals:
        if trigger in produced:
            lists[user].append((produced[trigger], at))
    # Per user, by trigger time: the earliest arrival among lists triggered at or after it.
    earliest: dict[str, tuple[list[float], list[float]]] = {}
    for user, rows in lists.items():
        rows.sort()
        arrive = [at for _, at in rows]
        for i in range(len(arrive) - 2, -1, -1):
            arrive[i] = min(arrive[i], arrive[i + 1])
        earliest[user] = ([t for t, _ in rows], arrive)
    out, unanswered = [], 0
    for event_id, t in produced.items():
        if t < since:
            continue
        triggers, arrive = earliest.get(user_of.get(event_id, ""), ([], []))
        i = bisect.bisect_left(triggers, t)
        if i == len(triggers):
            unanswered += 1
        else:
            out.append(arrive[i] - t)
    return out, unanswered


def _pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000)[int(q * 10) - 1] if len(values) > 1 else values[0]


def run_rate(
    settings: Settings, rate: float, seconds: float, tmp: Path, settle_s: float = 15.0
) -> dict[str, Any]:
    prefix = unique("bench-lat") + "."
    worker_settings = dataclasses.replace(settings, topic_prefix=prefix)
    warm = TrafficGenerator(seed=5, bot_share=0.0, malformed_share=0.0).events(300)
    load = TrafficGenerator(seed=6, bot_share=0.0, malformed_share=0.0).events(int(rate * seconds))
    worker = Worker(tmp, TOPIC_PREFIX=prefix, LOG_LEVEL="warn")
    try:
        worker.start()
        # Warm-up: the runtime loads the catalog and models; the first lists take longer.
        asyncio.run(produce(worker_settings, warm, rate=200))
        wait_until(
            "the warm-up events' recommendations",
            lambda: (
                'headwater_stage_out_total{destination="action.recommendations"'
                in worker.get("/metrics").text
                or None
            ),
            timeout=120,
        )
        time.sleep(2)
        sub, took = asyncio.run(_offer(settings, worker_settings, load, rate, drain_s=10))
    finally:
        worker.stop()
    produced = asyncio.run(_produce_times(settings, prefix, len(warm) + len(load)))
    load_ids = {str(g.event["event_id"]) for g in load if g.event is not None}
    produced = {e: t for e, t in produced.items() if e in load_ids}
    lat, unanswered = latencies(produced, sub.user_of, sub.arrivals)
    if not lat:
        raise AssertionError(f"no recommendation answered any of {len(produced)} events")
    ms = sorted(1000 * x for x in lat)
    # A fresh worker falls behind in the first seconds of load, then catches up: reported
    # apart, so that neither figure hides the other.
    began = min(produced.values())
    settled, _ = latencies(produced, sub.user_of, sub.arrivals, since=began + settle_s)
    steady = _summary([1000 * x for x in settled])
    # Where the time goes: each stage's output records carry the broker timestamp of their send.
    cleaned = asyncio.run(_record_times(settings, prefix, list(CLEANED.values())))
    enriched = asyncio.run(_record_times(settings, prefix, [ENRICHED]))
    enriched = {e: t for e, t in enriched.items() if e in produced}
    act, _ = latencies(enriched, sub.user_of, sub.arrivals)
    hops = {
        "raw_to_cleaned": _hop(produced, cleaned),
        "cleaned_to_enriched": _hop(cleaned, enriched),
        "enriched_to_recommendation": _summary([1000 * x for x in act]),
    }
    return {
        "offered_events_per_second": rate,
        "achieved_produce_rate": round(len(load) / took, 1),
        "events": len(produced),
        "answered": len(lat),
        "unanswered_within_10s_after_load": unanswered,
        "p50_ms": round(_pct(ms, 50), 1),
        "p99_ms": round(_pct(ms, 99), 1),
        "max_ms": round(ms[-1], 1),
        f"after_first_{settle_s:g}s": steady,
        "recommendations": len(sub.arrivals),
        "hops": hops,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, action="append", help="events/s (repeatable)")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--settle", type=float, default=15, help="seconds of load reported apart at the start"
    )
    args = parser.parse_args()
    settings = get_settings()
    figures: dict[str, Any] = {"runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        for rate in args.rate or [1000.0, 100.0]:
            r = run_rate(settings, rate, args.seconds, Path(tmp), settle_s=args.settle)
            steady = r[f"after_first_{args.settle:g}s"]
            figures["runs"].append(r)
            print(
                f"offered {rate:6.0f} events/s (produced at {r['achieved_produce_rate']:.0f}/s): "
                f"event → recommendation p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, "
                f"max {r['max_ms']} ms; {r['answered']} of {r['events']} events answered, "
                f"{r['recommendations']} lists"
            )
            print(
                f"  events produced after the first {args.settle:g} s: p50 {steady['p50_ms']} ms, "
                f"p99 {steady['p99_ms']} ms ({steady['events']} events)"
            )
            print(
                "  per stage p50/p99 ms: "
                + "; ".join(f"{h} {v['p50_ms']}/{v['p99_ms']}" for h, v in r["hops"].items())
            )
    print("target: p99 ≤ 50 ms at 1,000 events/s offered")
    print(f"results in {write_results('latency', figures)}")


if __name__ == "__main__":
    main()
