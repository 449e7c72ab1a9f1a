"""Which model version is live: ``promote`` and ``rollback`` move an alias, readers follow it.

Milvus switches an alias atomically, so a reader searching ``<prefix>products`` gets either the
old or the new collection, never an error; nothing is copied. Milvus Lite 3.2.2 supports
``create_alias``/``alter_alias``/``describe_alias`` (checked on this stack), so no pointer table
is needed. The previous version is remembered by a second alias, ``<prefix><kind>__previous``:
``rollback`` swaps the two, so a rollback can itself be undone by another rollback.

Two operators promoting the same kind at once can interleave; promotion is an operator action,
run from one place (the ``embeddings`` command).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pymilvus import MilvusClient

from app.vectors.errors import VersionError
from app.vectors.schema import Names
from app.vectors.store import VectorStore, describe_alias


class Aliases(Protocol):
    """The alias operations versions need (Milvus, or a dict in unit tests)."""

    async def resolve(self, alias: str) -> str | None: ...

    async def point(self, alias: str, collection: str) -> None: ...

    async def exists(self, collection: str) -> bool: ...

    async def count(self, collection: str) -> int: ...


@dataclass(frozen=True)
class Switch:
    kind: str
    live: str
    previous: str | None

    def __str__(self) -> str:
        return f"{self.kind}: live={self.live} previous={self.previous or '-'}"


class Versions:
    def __init__(self, aliases: Aliases, names: Names) -> None:
        self.aliases = aliases
        self.names = names

    async def live(self, kind: str) -> str | None:
        """The live version of ``kind`` (None before the first promote)."""
        target = await self.aliases.resolve(self.names.alias(kind))
        return None if target is None else self.names.version_of(kind, target)

    async def previous(self, kind: str) -> str | None:
        target = await self.aliases.resolve(self.names.previous_alias(kind))
        return None if target is None else self.names.version_of(kind, target)

    async def promote(self, kind: str, version: str, *, allow_empty: bool = False) -> Switch:
        """Make ``version`` live; the version it replaces becomes the rollback target."""
        physical = self.names.physical(kind, version)
        if not await self.aliases.exists(physical):
            raise VersionError(
                f"cannot promote {kind} {version}: collection {physical} does not exist; "
                f"run `embeddings backfill {version} --kind {kind}` first"
            )
        if not allow_empty and await self.aliases.count(physical) == 0:
            raise VersionError(
                f"cannot promote {kind} {version}: {physical} is empty and every query would "
                "answer nothing; backfill it first (or pass allow_empty for a brand-new kind)"
            )
        alias = self.names.alias(kind)
        current = await self.aliases.resolve(alias)
        if current == physical:
            previous = await self.aliases.resolve(self.names.previous_alias(kind))
            return Switch(kind, version, self._version(kind, previous))
        if current is not None:
            await self.aliases.point(self.names.previous_alias(kind), current)
        await self.aliases.point(alias, physical)
        return Switch(kind, version, self._version(kind, current))

    async def rollback(self, kind: str) -> Switch:
        """Make the previous version live again (and the current one the new previous)."""
        alias, prev_alias = self.names.alias(kind), self.names.previous_alias(kind)
        current = await self.aliases.resolve(alias)
        previous = await self.aliases.resolve(prev_alias)
        if current is None or previous is None:
            raise VersionError(
                f"cannot roll back {kind}: there is no previous version (live: "
                f"{self._version(kind, current) or 'none'}); promote a version instead"
            )
        if not await self.aliases.exists(previous):
            raise VersionError(
                f"cannot roll back {kind}: previous collection {previous} was dropped; "
                "backfill it again and promote it"
            )
        await self.aliases.point(alias, previous)
        await self.aliases.point(prev_alias, current)
        return Switch(kind, self.names.version_of(kind, previous), self._version(kind, current))

    def _version(self, kind: str, physical: str | None) -> str | None:
        return None if physical is None else self.names.version_of(kind, physical)


class MilvusAliases:
    """:class:`Aliases` over the store's Milvus facade (every call off the event loop)."""

    def __init__(self, store: VectorStore) -> None:
        self.store = store

    async def resolve(self, alias: str) -> str | None:
        return await self.store.resolve(alias)

    async def point(self, alias: str, collection: str) -> None:
        def point(c: MilvusClient) -> None:
            if describe_alias(c, alias) is None:
                c.create_alias(collection, alias)
            else:
                # alter_alias is atomic: readers of the alias never find it missing.
                c.alter_alias(collection, alias)

        await self.store.milvus.run(point)

    async def exists(self, collection: str) -> bool:
        return await self.store.milvus.run(lambda c: bool(c.has_collection(collection)))

    async def count(self, collection: str) -> int:
        res = await self.store.milvus.run(
            lambda c: c.query(collection, filter="", output_fields=["count(*)"])
        )
        return int(res[0]["count(*)"])
