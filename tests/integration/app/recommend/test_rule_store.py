from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg
import pytest

from app.recommend.ensemble import Scored
from app.recommend.errors import ConfigurationError
from app.recommend.model import Catalog, Context, Product
from app.recommend.rule_store import RuleStore, RuleWatcher
from app.recommend.rules import apply

CAT = Catalog([Product(i, ("Eyewear", "Sunglasses"), "x", True, 10.0) for i in "abcd"])


async def wait_for(cond: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not cond():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.05)


def top(watcher: RuleWatcher) -> list[str]:
    rows = [Scored(i, s, {"g": s}) for i, s in zip("abcd", (4.0, 3.0, 2.0, 1.0), strict=True)]
    return [r.item_id for r in apply(watcher.current, Context("u"), rows, CAT, 4)]


async def test_rule_change_is_picked_up_without_restart(pool: asyncpg.Pool) -> None:
    name = f"rs_{uuid.uuid4().hex[:8]}"
    store = RuleStore(pool)
    await store.save(name, {"max_per_category": 3})
    watcher = RuleWatcher(store, name, interval=0.1)
    watcher.start()
    try:
        await wait_for(lambda: watcher.current.version > 0, 5, "the first load")
        assert top(watcher) == ["a", "b", "c"]
        before = watcher.current.version

        await store.set_flag(name, "d", "pin", 1)
        await wait_for(lambda: watcher.current.version > before, 5, "the pin flag")
        assert top(watcher)[0] == "d"

        v = watcher.current.version
        await store.save(name, {"max_per_category": 1})
        await wait_for(lambda: watcher.current.version > v, 5, "the config change")
        assert top(watcher) == ["d"]

        v = watcher.current.version
        await store.clear_flag(name, "d", "pin")
        await wait_for(lambda: watcher.current.version > v, 5, "the flag removal")
        assert top(watcher) == ["a"]
    finally:
        await watcher.stop()


async def test_default_rule_set_is_seeded_and_unknown_is_refused(pool: asyncpg.Pool) -> None:
    store = RuleStore(pool)
    rs = await store.load("default")
    assert rs.in_stock_only
    assert rs.name == "default"
    with pytest.raises(ConfigurationError, match="not in rec_rulesets"):
        await store.load("missing")


async def test_bad_flag_action_is_refused_by_the_table(pool: asyncpg.Pool) -> None:
    store = RuleStore(pool)
    with pytest.raises(asyncpg.CheckViolationError):
        await store.set_flag("default", "a", "hide")
