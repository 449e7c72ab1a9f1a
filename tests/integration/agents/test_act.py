"""The action stage: a scripted session moves the recommendations (items co-viewed with what
was just seen rise), records reach action.recommendations, and withdrawing personalization
consent removes personalization."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.settings import Settings
from app.wire.codecs import decoder
from app.wire.topics import RECOMMENDATIONS
from bench.common import drain
from tests.integration.harness import Worker, unique, wait_until


def _view(user: str, item: str, t: datetime) -> dict[str, Any]:
    return {
        "event_type": "product_view",
        "user_id": user,
        "anonymous_id": f"a-{user}",
        "session_id": f"s-{user}",
        "product_id": item,
        "occurred_at": t.isoformat(),
        "properties": {"js": "1"},
        "user_agent": "Mozilla/5.0 Chrome/131.0",
    }


@pytest.fixture(scope="module")
def worker(seeded_database: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Any:
    dsn, _ = seeded_database
    w = Worker(
        tmp_path_factory.mktemp("act"), TOPIC_PREFIX=unique("it-act") + ".", DATABASE_URL=dsn
    )
    w.prefix = w.env["TOPIC_PREFIX"]  # type: ignore[attr-defined]
    w.start()
    wait_until("the worker to be ready", lambda: "Ready" in w.log_tail(400), timeout=120)
    yield w
    w.cleanup()


def test_session_moves_recommendations_and_consent_removes_personalization(
    worker: Worker, seeded_database: tuple[str, str], settings: Settings
) -> None:
    _, key = seeded_database
    auth = {"Authorization": f"Bearer {key}"}
    t0 = datetime.now(UTC) - timedelta(minutes=5)
    # Twenty shoppers view P000010 and then P000017: the two are co-visited.
    crowd = [f"crowd-{i}-{uuid.uuid4().hex[:4]}" for i in range(20)]
    events = [
        _view(shopper, item, t0 + timedelta(seconds=s))
        for shopper in crowd
        for s, item in ((0, "P000010"), (5, "P000017"))
    ]
    resp = httpx.post(f"{worker.url}/v1/events", json={"events": events}, headers=auth, timeout=30)
    assert resp.json()["accepted"] == len(events), resp.text

    user = f"newcomer-{uuid.uuid4().hex[:6]}"
    before = wait_until(
        "a first recommendation for a user without history",
        lambda: (
            (r := worker.get(f"/v1/recommendations/{user}", headers=auth)).status_code == 200
            and r.json()
        ),
        timeout=60,
    )
    assert not before["personalized"]

    resp = httpx.post(
        f"{worker.url}/v1/events",
        headers=auth,
        timeout=30,
        json={"events": [_view(user, "P000010", t0 + timedelta(minutes=1))]},
    )
    assert resp.json()["accepted"] == 1

    seen: list[Any] = []

    def co_viewed_rises() -> dict[str, Any] | None:
        body = worker.get(f"/v1/recommendations/{user}", headers=auth).json()
        seen[:] = [body]
        items = {i["product_id"]: i for i in body["items"]}
        return body if "P000017" in items and body["personalized"] else None

    try:
        after = wait_until("P000017 recommended after viewing P000010", co_viewed_rises, 60)
    except AssertionError as err:
        raise AssertionError(f"{err}; last answer: {seen}") from None
    item = next(i for i in after["items"] if i["product_id"] == "P000017")
    assert item["contributions"].get("covisitation", 0) > 0, item
    assert item["explanation"]

    got = asyncio.run(drain(settings, [worker.prefix + RECOMMENDATIONS], 1, timeout=60))  # type: ignore[attr-defined]
    record = decoder(RECOMMENDATIONS)(got[worker.prefix + RECOMMENDATIONS][0].value)  # type: ignore[attr-defined]
    assert record["user_key"].startswith("u_")
    assert record["items"]

    # Session and user vectors were written to Milvus as the events flowed.
    from pymilvus import MilvusClient

    client = MilvusClient(uri=settings.milvus_uri)
    prefix = settings.milvus_collection_prefix
    user_key = after["user_key"]

    def vectors_written() -> bool:
        users = client.get(f"{prefix}users", ids=[user_key])
        sessions = client.get(f"{prefix}sessions", ids=[f"{user_key}:s-{user}"])
        return bool(users) and bool(sessions)

    wait_until("the user's and session's vectors in Milvus", vectors_written, timeout=30)
    client.close()

    consent = httpx.post(
        f"{worker.url}/v1/consent",
        headers=auth,
        timeout=10,
        json={"user_id": user, "purpose": "personalization", "granted": False},
    )
    assert consent.status_code == 202, consent.text
    plain = wait_until(
        "recommendations without personalization after consent is withdrawn",
        lambda: (
            not (b := worker.get(f"/v1/recommendations/{user}", headers=auth).json())[
                "personalized"
            ]
            and b
        ),
        timeout=10,
    )
    assert all("covisitation" not in i["contributions"] for i in plain["items"])
    bad = worker.get(f"/v1/recommendations/{user}?k=abc", headers=auth)
    assert bad.status_code == 400


def test_experiment_split_exposures_and_report_match_a_hand_count(
    worker: Worker, seeded_database: tuple[str, str], settings: Settings
) -> None:
    _, key = seeded_database
    auth = {"Authorization": f"Bearer {key}"}
    exp_id = unique("exp")
    definition = {
        "id": exp_id,
        "control": "A",
        "variants": [
            {"name": "A", "traffic": 0.5},
            {
                "name": "B",
                "traffic": 0.5,
                "weights": {
                    "popularity": 1.0,
                    "trending": 0.0,
                    "covisitation": 0.0,
                    "affinity": 0.0,
                    "learned": 0.0,
                },
            },
        ],
    }
    created = httpx.post(f"{worker.url}/v1/experiments", json=definition, headers=auth, timeout=10)
    assert created.status_code == 201, created.text
    time.sleep(3)  # the worker reloads running experiments every 2 s
    t0 = datetime.now(UTC) - timedelta(minutes=1)
    users = [f"ab-{i}-{uuid.uuid4().hex[:6]}" for i in range(200)]
    events = [_view(u, "P000010", t0) for u in users]
    resp = httpx.post(f"{worker.url}/v1/events", json={"events": events}, headers=auth, timeout=30)
    assert resp.json()["accepted"] == len(users)

    prefix = worker.prefix  # type: ignore[attr-defined]

    def exposures_logged() -> dict[str, Any] | None:
        r = worker.get(f"/v1/experiments/{exp_id}/report", headers=auth)
        body = r.json()
        total = (
            sum(v["exposures"] for v in body["variants"].values()) if r.status_code == 200 else 0
        )
        return body if total >= len(users) else None

    report = wait_until("exposures of all 200 users in the report", exposures_logged, 60)

    # Hand count from the topic itself: every record that carries this experiment.
    def all_records() -> list[dict[str, Any]] | None:
        got = asyncio.run(drain(settings, [prefix + RECOMMENDATIONS], 1, timeout=30))
        decoded = [decoder(RECOMMENDATIONS)(r.value) for r in got[prefix + RECOMMENDATIONS]]
        mine = [r for r in decoded if r["experiment_id"] == exp_id]
        return mine if len(mine) >= len(users) else None

    records = wait_until("a recommendation record for each of the 200 users", all_records, 60)
    by_variant = {"A": 0, "B": 0}
    for r in records:
        by_variant[r["variant"]] += 1
    assert sum(by_variant.values()) == len(users)
    # 50/50 within tolerance: 200 fair coin flips stay in [70, 130] with p > 0.9999.
    assert 70 <= by_variant["A"] <= 130, by_variant
    assert {v: report["variants"][v]["exposures"] for v in "AB"} == by_variant
    # Variant B is popularity only: its explanations say so.
    b_items = [i for r in records if r["variant"] == "B" for i in r["items"]]
    assert all(set(i["contributions"]) <= {"popularity"} for i in b_items), b_items[:3]


def test_rules_follow_catalog_and_flag_changes_without_restart(
    worker: Worker, seeded_database: tuple[str, str]
) -> None:
    """Each rule on the real stack: out of stock (a plain-SQL stock change reaches the engine
    through the outbox and catalog.changes), already bought, buried and pinned by flags."""
    import asyncpg

    dsn, key = seeded_database
    auth = {"Authorization": f"Bearer {key}"}
    t0 = datetime.now(UTC) - timedelta(minutes=5)
    anchor, neighbours = "P000030", ["P000031", "P000032", "P000033"]
    crowd = [f"rules-{i}-{uuid.uuid4().hex[:4]}" for i in range(10)]
    events = [
        _view(s, item, t0 + timedelta(seconds=n))
        for s in crowd
        for n, item in enumerate([anchor, *neighbours])
    ]
    assert httpx.post(
        f"{worker.url}/v1/events", json={"events": events}, headers=auth, timeout=30
    ).json()["accepted"] == len(events)
    user = f"ruled-{uuid.uuid4().hex[:6]}"
    assert (
        httpx.post(
            f"{worker.url}/v1/events",
            headers=auth,
            timeout=30,
            json={"events": [_view(user, anchor, t0 + timedelta(minutes=1))]},
        ).json()["accepted"]
        == 1
    )

    def items() -> list[str]:
        body = worker.get(f"/v1/recommendations/{user}?k=20", headers=auth).json()
        return [i["product_id"] for i in body["items"]]

    wait_until(
        "the co-viewed neighbours to be recommended",
        lambda: set(neighbours) <= set(items()),
        timeout=60,
    )

    async def sql(statement: str, *args: object) -> None:
        con = await asyncpg.connect(dsn)
        try:
            await con.execute(statement, *args)
        finally:
            await con.close()

    # In stock only: the stock of one neighbour drops to zero by plain SQL.
    asyncio.run(sql("UPDATE inventory SET quantity = 0 WHERE product_id = $1", neighbours[0]))
    wait_until(
        f"{neighbours[0]} to leave the list once out of stock",
        lambda: neighbours[0] not in items(),
        timeout=30,
    )

    # Already bought: the user orders the second neighbour.
    order = {
        "event_type": "order",
        "user_id": user,
        "anonymous_id": f"a-{user}",
        "session_id": f"s-{user}",
        "order_id": f"o-{user}",
        "currency": "EUR",
        "occurred_at": (t0 + timedelta(minutes=2)).isoformat(),
        "items": [{"product_id": neighbours[1], "quantity": 1, "unit_price": "20.00"}],
    }
    assert (
        httpx.post(
            f"{worker.url}/v1/events", json={"events": [order]}, headers=auth, timeout=30
        ).json()["accepted"]
        == 1
    )
    wait_until(
        f"{neighbours[1]} to leave the list once bought",
        lambda: neighbours[1] not in items(),
        timeout=30,
    )

    # Feature flags, changed in PostgreSQL while the worker runs: bury one, pin another.
    asyncio.run(
        sql("INSERT INTO rec_rulesets (name) VALUES ('default') ON CONFLICT (name) DO NOTHING")
    )
    asyncio.run(
        sql(
            "INSERT INTO rec_item_flags (ruleset, item_id, action) VALUES "
            "('default', $1, 'bury'), ('default', 'P000099', 'pin')",
            neighbours[2],
        )
    )
    wait_until(
        f"{neighbours[2]} buried and P000099 pinned first",
        lambda: (got := items()) and neighbours[2] not in got and got[0] == "P000099",
        timeout=30,
    )


def test_prescription_rule_removes_products_the_users_sphere_falls_outside(
    worker: Worker, seeded_database: tuple[str, str]
) -> None:
    import asyncpg

    dsn, key = seeded_database
    auth = {"Authorization": f"Bearer {key}"}

    async def pick() -> tuple[str, str, str]:
        con = await asyncpg.connect(dsn)
        try:
            rx = await con.fetchval(
                "SELECT product_id FROM prescription_attributes WHERE power_min > -14 "
                "AND product_id > 'P000200' ORDER BY product_id LIMIT 1"
            )
            plain = await con.fetch(
                "SELECT p.product_id FROM products p WHERE NOT EXISTS (SELECT 1 FROM "
                "prescription_attributes r WHERE r.product_id = p.product_id) AND EXISTS "
                "(SELECT 1 FROM inventory i WHERE i.product_id = p.product_id AND quantity > 5) "
                "AND p.product_id > 'P000200' ORDER BY p.product_id LIMIT 2"
            )
            await con.execute("UPDATE inventory SET quantity = 50 WHERE product_id = $1", rx)
        finally:
            await con.close()
        return plain[0]["product_id"], rx, plain[1]["product_id"]

    anchor, rx, other = asyncio.run(pick())
    user = f"myopic-{uuid.uuid4().hex[:6]}"
    put = httpx.put(
        f"{worker.url}/v1/users/{user}/profile",
        headers=auth,
        timeout=10,
        json={"right_sphere": -14.0, "left_sphere": -13.5},
    )
    assert put.status_code == 200, put.text
    t0 = datetime.now(UTC) - timedelta(minutes=5)
    crowd = [f"rx-{i}-{uuid.uuid4().hex[:4]}" for i in range(10)]
    events = [
        _view(s, item, t0 + timedelta(seconds=n))
        for s in crowd
        for n, item in enumerate([anchor, rx, other])
    ]
    events.append(_view(user, anchor, t0 + timedelta(minutes=1)))
    assert httpx.post(
        f"{worker.url}/v1/events", json={"events": events}, headers=auth, timeout=30
    ).json()["accepted"] == len(events)

    def items() -> list[str]:
        body = worker.get(f"/v1/recommendations/{user}?k=20", headers=auth).json()
        return [i["product_id"] for i in body["items"]]

    got = wait_until(
        f"{other} recommended after viewing {anchor}",
        lambda: (i := items()) and other in i and i,
        timeout=60,
    )
    assert rx not in got, f"{rx} (sphere range above -14) was recommended: {got}"
    # Without the rule's input the same product is recommended to a user with no prescription.
    plain_user = f"plain-{uuid.uuid4().hex[:6]}"
    assert (
        httpx.post(
            f"{worker.url}/v1/events",
            headers=auth,
            timeout=30,
            json={"events": [_view(plain_user, anchor, t0 + timedelta(minutes=1))]},
        ).json()["accepted"]
        == 1
    )
    wait_until(
        f"{rx} recommended to a user without a prescription",
        lambda: rx in worker.get(f"/v1/recommendations/{plain_user}?k=20", headers=auth).text,
        timeout=60,
    )


def test_price_window_and_diversity_cap_change_without_restart(
    worker: Worker, seeded_database: tuple[str, str]
) -> None:
    import asyncpg

    from app.catalog import seed

    dsn, key = seeded_database
    auth = {"Authorization": f"Bearer {key}"}
    user = f"shopper-{uuid.uuid4().hex[:6]}"
    t0 = datetime.now(UTC) - timedelta(minutes=3)
    assert (
        httpx.post(
            f"{worker.url}/v1/events",
            headers=auth,
            timeout=30,
            json={"events": [_view(user, "P000040", t0)]},
        ).json()["accepted"]
        == 1
    )

    def recs() -> list[dict[str, Any]]:
        body = worker.get(f"/v1/recommendations/{user}?k=20", headers=auth).json()
        return list(body["items"])

    wait_until("a list of at least five items", lambda: len(recs()) >= 5, timeout=60)
    catalog = seed.generate(300)
    category = {p[0]: p[4] for p in catalog.products}
    price: dict[str, float] = {}
    for _sku, pid, _cur, amount, _valid in catalog.prices:
        price[pid] = min(price.get(pid, float(amount)), float(amount))

    async def configure(config: str) -> None:
        con = await asyncpg.connect(dsn)
        try:
            await con.execute("DELETE FROM rec_item_flags WHERE ruleset = 'default'")
            await con.execute(
                "UPDATE rec_rulesets SET config = $1::jsonb WHERE name = 'default'", config
            )
        finally:
            await con.close()

    asyncio.run(configure('{"max_per_category": 1, "category_level": -1}'))
    capped = wait_until(
        "at most one item per category",
        lambda: (r := recs()) and len({category[i["product_id"]] for i in r}) == len(r) and r,
        timeout=30,
    )
    assert len(capped) >= 2
    asyncio.run(configure('{"price_min": 20, "price_max": 60}'))
    windowed = wait_until(
        "only items priced 20-60",
        lambda: (r := recs()) and all(20 <= price[i["product_id"]] <= 60 for i in r) and r,
        timeout=30,
    )
    assert windowed
    asyncio.run(configure("{}"))


def test_learned_model_retrains_and_rolls_back(
    worker: Worker, seeded_database: tuple[str, str]
) -> None:
    _, key = seeded_database
    auth = {"Authorization": f"Bearer {key}"}
    url = f"{worker.url}/v1/models/learned"
    assert httpx.post(f"{url}/retrain", timeout=30).status_code == 401
    first = httpx.post(f"{url}/retrain", headers=auth, timeout=60)
    assert first.status_code == 201, first.text
    second = httpx.post(f"{url}/retrain", headers=auth, timeout=60).json()
    assert second["live"] == second["trained"] != first.json()["trained"]
    back = httpx.post(f"{url}/rollback", headers=auth, timeout=30)
    assert back.status_code == 200, back.text
    assert back.json()["live"] == first.json()["trained"]
    state = worker.get("/v1/models/learned", headers=auth).json()
    assert state["live"] == first.json()["trained"]
    assert len(state["versions"]) >= 2
