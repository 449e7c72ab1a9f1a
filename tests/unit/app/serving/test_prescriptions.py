"""PrescriptionLookup: per-user answers cached; a batch's misses read in one call."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from app.profiles.errors import ProfileNotFound
from app.serving.prescriptions import PrescriptionLookup


class FakeProfiles:
    def __init__(self, stored: dict[str, dict[str, Any]], down: bool = False) -> None:
        self.stored, self.down = stored, down
        self.calls: list[list[str]] = []

    async def read_many(self, keys: list[str], purpose: str, actor: Any) -> dict[str, Any]:
        assert purpose == "personalization"
        self.calls.append(list(keys))
        if self.down:
            raise ConnectionRefusedError("PostgreSQL is down")
        return {k: self.stored[k] for k in keys if k in self.stored}

    async def read(self, key: str, purpose: str, actor: Any) -> dict[str, Any]:
        self.calls.append([key])
        if key not in self.stored:
            raise ProfileNotFound(key)
        return self.stored[key]


def _services(profiles: FakeProfiles) -> Any:
    return SimpleNamespace(profiles=profiles)


async def test_misses_are_read_in_one_call_then_cached() -> None:
    profiles = FakeProfiles({"u1": {"sphere_range": [-2.25, -1.75]}, "u2": {"price_band": "x"}})
    lookup = PrescriptionLookup()
    got = await lookup.spheres(["u1", "u2", "u3"], _services(profiles))
    assert got == {"u1": -2.25, "u2": None, "u3": None}
    assert profiles.calls == [["u1", "u2", "u3"]]
    again = await lookup.spheres(["u1", "u3", "u4"], _services(profiles))
    assert again == {"u1": -2.25, "u3": None, "u4": None}
    assert profiles.calls[1:] == [["u4"]], "cached users are not read again"
    assert await lookup.sphere("u1", _services(profiles)) == -2.25
    assert len(profiles.calls) == 2


async def test_a_forgotten_user_is_read_again() -> None:
    profiles = FakeProfiles({"u1": {"sphere_range": [1.5, 0.5]}})
    lookup = PrescriptionLookup()
    assert await lookup.spheres(["u1"], _services(profiles)) == {"u1": 1.5}
    lookup.forget("u1")
    profiles.stored.clear()
    assert await lookup.spheres(["u1"], _services(profiles)) == {"u1": None}


async def test_postgres_down_gives_no_rule_input_and_no_error() -> None:
    lookup = PrescriptionLookup()
    got = await lookup.spheres(["u1", "u2"], _services(FakeProfiles({}, down=True)))
    assert got == {"u1": None, "u2": None}


async def test_no_users_reads_nothing() -> None:
    profiles = FakeProfiles({})
    assert await PrescriptionLookup().spheres([], _services(profiles)) == {}
    assert profiles.calls == []
