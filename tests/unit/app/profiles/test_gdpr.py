from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from app.profiles.access import Actor
from app.profiles.errors import GdprError
from app.profiles.gdpr import (
    GdprStores,
    Orchestrator,
    UserDataStore,
    is_empty,
)

ADMIN = Actor("k1", "admin")
USER = "u_" + "c" * 32


class FakeStore:
    def __init__(self, name: str, data: dict[str, list[str]], fail: bool = False) -> None:
        self.name = name
        self.data = data
        self.fail = fail

    async def export(self, user_key: str) -> dict[str, Any]:
        return {"items": list(self.data.get(user_key, []))}

    async def erase(self, user_key: str) -> int:
        if self.fail:
            raise RuntimeError("store down")
        return len(self.data.pop(user_key, []))


def _clock() -> datetime:
    return datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


async def test_export_erase_export_empty() -> None:
    a = FakeStore("a", {USER: ["x", "y"], "other": ["z"]})
    b = FakeStore("b", {USER: ["w"]})
    orch = Orchestrator([a, b], clock=_clock)
    first = await orch.export(USER, ADMIN)
    assert first["stores"] == {"a": {"items": ["x", "y"]}, "b": {"items": ["w"]}}
    assert not is_empty(first)
    receipt = await orch.erase(USER, ADMIN)
    assert receipt.complete
    assert receipt.erased_at == "2025-01-02T03:04:05+00:00"
    assert [(s.store, s.removed) for s in receipt.stores] == [("a", 2), ("b", 1)]
    assert is_empty(await orch.export(USER, ADMIN))
    assert a.data == {"other": ["z"]}
    again = await orch.erase(USER, ADMIN)
    assert [s.removed for s in again.stores] == [0, 0]
    assert again.receipt_id != receipt.receipt_id


async def test_a_failing_store_does_not_stop_the_others() -> None:
    a = FakeStore("a", {USER: ["x"]}, fail=True)
    b = FakeStore("b", {USER: ["w"]})
    receipt = await Orchestrator([a, b]).erase(USER, ADMIN)
    assert not receipt.complete
    assert receipt.stores[0].error == "RuntimeError: store down"
    assert receipt.stores[1].removed == 1
    assert b.data == {}
    assert receipt.as_dict()["complete"] is False


def test_duplicate_names_are_refused() -> None:
    with pytest.raises(GdprError, match="unique"):
        Orchestrator([FakeStore("a", {}), FakeStore("a", {})])


def test_registry() -> None:
    stores = GdprStores()
    s = FakeStore("unit-test-store", {})
    assert isinstance(s, UserDataStore)
    stores.register(s)
    stores.register(s)  # the same object again is fine
    with pytest.raises(GdprError, match="already registered"):
        stores.register(FakeStore("unit-test-store", {}))
    stores.register(FakeStore("unit-test-store", {}), replace=True)
    assert [x.name for x in stores].count("unit-test-store") == 1
    stores.unregister("unit-test-store")
    assert "unit-test-store" not in [x.name for x in stores]


def test_is_empty() -> None:
    assert is_empty({"stores": {"pg": {"profile": None, "consent": []}, "kafka": {}}})
    assert not is_empty({"stores": {"pg": {"profile": {"email": "x"}}}})
