from __future__ import annotations

import pytest

from app.vectors.errors import VersionError
from app.vectors.schema import Names
from app.vectors.versions import Versions


class FakeAliases:
    def __init__(self, collections: dict[str, int]) -> None:
        self.collections = collections
        self.aliases: dict[str, str] = {}
        self.moves: list[tuple[str, str]] = []

    async def resolve(self, alias: str) -> str | None:
        return self.aliases.get(alias)

    async def point(self, alias: str, collection: str) -> None:
        assert collection in self.collections
        self.aliases[alias] = collection
        self.moves.append((alias, collection))

    async def exists(self, collection: str) -> bool:
        return collection in self.collections

    async def count(self, collection: str) -> int:
        return self.collections[collection]


@pytest.fixture
def fake() -> FakeAliases:
    return FakeAliases({"t_products_v1": 10, "t_products_v2": 12, "t_products_v3": 0})


@pytest.fixture
def versions(fake: FakeAliases) -> Versions:
    return Versions(fake, Names("t_"))


async def test_the_first_promote_has_nothing_to_roll_back_to(versions: Versions) -> None:
    switch = await versions.promote("products", "v1")
    assert (switch.live, switch.previous) == ("v1", None)
    assert await versions.live("products") == "v1"
    with pytest.raises(VersionError, match="no previous version"):
        await versions.rollback("products")


async def test_promote_then_rollback_then_rollback_again(
    versions: Versions, fake: FakeAliases
) -> None:
    await versions.promote("products", "v1")
    switch = await versions.promote("products", "v2")
    assert (switch.live, switch.previous) == ("v2", "v1")
    assert fake.aliases == {"t_products": "t_products_v2", "t_products__previous": "t_products_v1"}
    back = await versions.rollback("products")
    assert (back.live, back.previous) == ("v1", "v2")
    assert await versions.live("products") == "v1"
    forth = await versions.rollback("products")  # undoes the rollback
    assert (forth.live, forth.previous) == ("v2", "v1")


async def test_the_live_alias_moves_last(versions: Versions, fake: FakeAliases) -> None:
    """Readers only follow the live alias; it is switched in one step, after the bookkeeping."""
    await versions.promote("products", "v1")
    fake.moves.clear()
    await versions.promote("products", "v2")
    assert fake.moves == [
        ("t_products__previous", "t_products_v1"),
        ("t_products", "t_products_v2"),
    ]


async def test_promoting_the_live_version_again_changes_nothing(
    versions: Versions, fake: FakeAliases
) -> None:
    await versions.promote("products", "v1")
    await versions.promote("products", "v2")
    fake.moves.clear()
    switch = await versions.promote("products", "v2")
    assert (switch.live, switch.previous) == ("v2", "v1")
    assert fake.moves == []


async def test_unknown_or_empty_versions_are_refused(versions: Versions) -> None:
    with pytest.raises(VersionError, match=r"t_products_v9 does not exist.*backfill"):
        await versions.promote("products", "v9")
    with pytest.raises(VersionError, match="is empty"):
        await versions.promote("products", "v3")
    switch = await versions.promote("products", "v3", allow_empty=True)
    assert switch.live == "v3"


async def test_rollback_to_a_dropped_collection_is_refused(
    versions: Versions, fake: FakeAliases
) -> None:
    await versions.promote("products", "v1")
    await versions.promote("products", "v2")
    del fake.collections["t_products_v1"]
    with pytest.raises(VersionError, match="was dropped"):
        await versions.rollback("products")
    assert await versions.live("products") == "v2"
