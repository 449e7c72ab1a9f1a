"""Two workers in one group answer every table view; a worker killed with SIGKILL mid-stream
recovers its tables from the changelogs with no lost and no double-counted event."""

from __future__ import annotations

import asyncio
import dataclasses
import signal
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from app.generator.produce import produce
from app.generator.traffic import TrafficGenerator
from app.privacy.pseudonym import Pseudonymizer
from app.settings import Settings
from app.wire.codecs import decoder
from app.wire.topics import BOTS, CLEANED, ENRICHED, RAW
from bench.common import drain
from tests.integration.harness import Worker, unique, wait_until


def _stage_counts(settings: Settings, prefix: str, users: set[bytes]) -> dict[str, object]:
    """For the named users: event ids seen on each stage's topics, to say where events went.

    Raw records are keyed by the clear id, the later stages by its pseudonym.
    """
    pseudonym = Pseudonymizer(settings.pseudonym_key)
    name_of = {
        **{u: u.decode() for u in users},
        **{pseudonym(u.decode()).encode(): u.decode() for u in users},
    }

    async def read() -> dict[str, object]:
        stages = {
            "raw": list(RAW.values()),
            "cleaned": [*CLEANED.values(), BOTS],
            "enriched": [ENRICHED],
        }
        consumer = AIOKafkaConsumer(
            bootstrap_servers=settings.kafka_bootstrap, enable_auto_commit=False
        )
        await consumer.start()
        ids: dict[str, dict[str, Counter[str]]] = {}
        try:
            for stage, names in stages.items():
                tps = [
                    TopicPartition(prefix + n, p)
                    for n in names
                    for p in range(settings.topic_partitions)
                ]
                consumer.assign(tps)
                await consumer.seek_to_beginning(*tps)
                end = await consumer.end_offsets(tps)
                left = {tp for tp, off in end.items() if off > 0}
                async with asyncio.timeout(60):
                    while left:
                        for tp, records in (await consumer.getmany(timeout_ms=500)).items():
                            logical = tp.topic.removeprefix(prefix)
                            for r in records:
                                user = name_of.get(r.key or b"")
                                if user is None:
                                    continue
                                try:
                                    event_id = str(decoder(logical)(r.value)["event_id"])
                                except Exception:  # a diagnostic: count what cannot be read
                                    event_id = f"undecoded@{tp.partition}:{r.offset}"
                                per = ids.setdefault(user, {}).setdefault(stage, Counter())
                                per[f"{logical}:{event_id}"] += 1
                            if records and records[-1].offset + 1 >= end[tp]:
                                left.discard(tp)
        finally:
            await consumer.stop()
        return {
            user: {
                stage: {"records": sum(c.values()), "distinct": len(c)}
                for stage, c in per_stage.items()
            }
            for user, per_stage in ids.items()
        }

    try:
        return asyncio.run(read())
    except Exception as err:  # never hide the test's own failure behind the diagnostic's
        return {"diagnostic failed": repr(err)}


def _views(user: str, n: int) -> list[dict[str, object]]:
    t0 = datetime.now(UTC) - timedelta(minutes=2)
    return [
        {
            "event_type": "product_view",
            "user_id": user,
            "anonymous_id": f"a-{user}",
            "session_id": f"s-{user}",
            "product_id": f"P00000{1 + i % 5}",
            "occurred_at": (t0 + timedelta(seconds=i)).isoformat(),
            "properties": {"js": "1"},
            "user_agent": "Mozilla/5.0 Chrome/131.0",
        }
        for i in range(n)
    ]


def test_two_workers_answer_every_key(
    worker_factory: type[Worker], seeded_database: tuple[str, str]
) -> None:
    dsn, key = seeded_database
    env = {"APP_ID": unique("hw-two"), "TOPIC_PREFIX": unique("it-two") + ".", "DATABASE_URL": dsn}
    first = worker_factory(**env).start()
    second = worker_factory(**env).start()
    for w in (first, second):
        wait_until(f"worker {w.port} ready", lambda w=w: "Ready" in w.log_tail(600), 120)
    users = [f"u{i}-{uuid.uuid4().hex[:6]}" for i in range(16)]
    auth = {"Authorization": f"Bearer {key}"}
    events = [e for u in users for e in _views(u, 3)]
    resp = httpx.post(f"{first.url}/v1/events", json={"events": events}, headers=auth, timeout=30)
    assert resp.json()["accepted"] == len(events), resp.text

    served_by: Counter[str] = Counter()
    for user in users:
        for w in (first, second):

            def ok(w: Worker = w, user: str = user) -> httpx.Response | None:
                r = w.get(f"/v1/sessions/{user}", headers=auth)
                good = r.status_code == 200 and r.json()["current"]["events"] == 3
                return r if good else None

            r = wait_until(f"session of {user} on worker {w.port}", ok, timeout=90)
            served_by[r.headers["X-Served-By"]] += 1
            profile = w.get(f"/v1/profiles/{user}", headers=auth)
            assert profile.status_code == 200, profile.text
            assert profile.json()["recent_items"], profile.text
    # Both workers own some of the keys, so both answered for the other one at least once.
    assert len(served_by) == 2, served_by


def test_sigkill_mid_stream_loses_and_doubles_nothing(
    worker_factory: type[Worker],
    seeded_database: tuple[str, str],
    settings: Settings,
    tmp_path: Path,
) -> None:
    dsn, key = seeded_database
    prefix = unique("it-kill") + "."
    env = {
        "APP_ID": unique("hw-kill"),
        "TOPIC_PREFIX": prefix,
        "DATABASE_URL": dsn,
        "DATA_DIR": str(tmp_path / "data"),
        "STAGE_BATCH_SIZE": "50",
    }
    victim = worker_factory(**env).start()
    wait_until("worker ready", lambda: "Ready" in victim.log_tail(600), 120)

    traffic = TrafficGenerator(seed=5, bot_share=0.0, malformed_share=0.0, users=60).events(4000)
    expected = Counter(g.key for g in traffic)
    asyncio.run(produce(dataclasses.replace(settings, topic_prefix=prefix), traffic))
    asyncio.run(drain(settings, [prefix + ENRICHED], 400, timeout=120))
    victim.stop(signal.SIGKILL)

    survivor = worker_factory(**env).start()
    wait_until("restarted worker ready", lambda: "Ready" in survivor.log_tail(600), 180)
    auth = {"Authorization": f"Bearer {key}"}

    missing: set[bytes] = set()

    def all_counted() -> bool:
        missing.clear()
        for user in expected:
            r = survivor.get(f"/v1/profiles/{user.decode()}", headers=auth)
            if r.status_code != 200:
                missing.add(user)
        return not missing

    try:
        wait_until("every user's profile after recovery", all_counted, timeout=240, every=2)
    except AssertionError as err:
        where = _stage_counts(settings, prefix, missing)
        raise AssertionError(
            f"{err}; {len(missing)} users without a profile; per stage: {where}; "
            f"worker log: {survivor.log_tail(80)}"
        ) from None

    def counts() -> dict[bytes, int]:
        """Events applied to each user's profile (the session view keeps only recent ones)."""
        return {
            user: int(
                survivor.get(f"/v1/profiles/{user.decode()}", headers=auth).json()["events_seen"]
            )
            for user in expected
        }

    last: dict[bytes, int] = {}

    def settled() -> dict[bytes, int] | None:
        last.update(counts())
        return dict(last) if last == expected else None

    try:
        wait_until("profile event counts to equal the events sent", settled, 120, every=3)
    except AssertionError as err:
        off = {u.decode(): (last.get(u), n) for u, n in expected.items() if last.get(u) != n}
        where = _stage_counts(settings, prefix, {u.encode() for u in off})
        raise AssertionError(
            f"{err}; (counted, sent) for {len(off)} users: {off}; per stage: {where}"
        ) from None

    # The changelogs alone hold the same state: a worker with an empty data directory
    # rebuilds every profile from them (the stages write changelog records in batches).
    survivor.stop()
    rebuilt = worker_factory(**{**env, "DATA_DIR": str(tmp_path / "empty")}).start()
    wait_until("worker on an empty data dir ready", lambda: "Ready" in rebuilt.log_tail(600), 180)
    survivor = rebuilt
    wait_until("every user's profile after the rebuild", all_counted, timeout=240, every=2)
    last.clear()
    try:
        wait_until("profiles rebuilt from the changelogs to equal the events sent", settled, 120)
    except AssertionError as err:
        off = {u.decode(): (last.get(u), n) for u, n in expected.items() if last.get(u) != n}
        raise AssertionError(f"{err}; (rebuilt, sent) for {len(off)} users: {off}") from None
