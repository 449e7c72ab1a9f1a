"""The registry's operations: validate, decide, write records, read the result back.

Reads answer from the in-memory :class:`~registry.store.Store`. Writes hold one lock, catch up
with the log, decide against that state (next id, next version, compatibility), write records
through the :class:`Log` and return once the store has applied them. One lock per process
makes a single instance safe; two instances writing at once could both pick the same next id,
which is why one writer per topic is the supported deployment (see docs/registry.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol

from registry import compat, errors, schemas
from registry.compat import Level
from registry.store import (
    Record,
    Store,
    Version,
    config_record,
    config_tombstone,
    schema_record,
    schema_tombstone,
    watermark_record,
)


class Log(Protocol):
    """Where records go; ``write`` returns after the store has applied every record."""

    async def write(self, records: Sequence[Record]) -> None: ...

    async def catch_up(self) -> None: ...


def parse_version(text: str) -> int | None:
    """``"latest"``/``"-1"`` → ``None``; ``"3"`` → 3; anything else is 42202."""
    if text.strip().lower() == "latest":
        return None
    try:
        number = int(text)
    except ValueError:
        raise errors.invalid_version(text) from None
    if number == -1:
        return None
    if not 1 <= number <= errors.MAX_VERSION:
        raise errors.invalid_version(text)
    return number


def parse_id(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise errors.schema_not_found(text) from None


class Registry:
    def __init__(self, store: Store, log: Log) -> None:
        self.store = store
        self.log = log
        self._write_lock = asyncio.Lock()

    # ------------------------------------------------------------------ schemas
    async def register(
        self,
        subject: str,
        text: str,
        schema_type: object = None,
        references: object = None,
    ) -> int:
        parsed = _parse(text, schema_type, references)
        async with self._write_lock:
            await self.log.catch_up()
            same = self.store.find(subject, parsed.canonical)
            if same is not None:
                return same.schema_id
            live = self.store.versions(subject)
            messages = compat.check(
                self.store.level_for(subject),
                parsed.avro,
                [(v.version, schemas.parse(v.schema).avro) for v in live],
            )
            if messages:
                raise errors.incompatible(subject, messages)
            schema_id = self.store.id_for(parsed.canonical) or self.store.max_id() + 1
            new = Version(subject, self.store.next_version(subject), schema_id, parsed.canonical)
            await self.log.write([schema_record(new)])
            return schema_id

    def lookup(
        self, subject: str, text: str, schema_type: object = None, *, deleted: bool = False
    ) -> Version:
        parsed = _parse(text, schema_type, None)
        if not self.store.versions(subject, deleted=deleted):
            raise errors.subject_not_found(subject)
        found = self.store.find(subject, parsed.canonical, deleted=deleted)
        if found is None:
            raise errors.schema_not_found()
        return found

    def subjects(self, *, deleted: bool = False) -> list[str]:
        return self.store.subjects(deleted=deleted)

    def versions(self, subject: str, *, deleted: bool = False) -> list[int]:
        found = self.store.versions(subject, deleted=deleted)
        if not found:
            raise errors.subject_not_found(subject)
        return [v.version for v in found]

    def get_version(self, subject: str, spec: str, *, deleted: bool = False) -> Version:
        number = parse_version(spec)
        found = self.store.versions(subject, deleted=deleted)
        if not found:
            raise errors.subject_not_found(subject)
        if number is None:
            return found[-1]
        for v in found:
            if v.version == number:
                return v
        raise errors.version_not_found(subject, number)

    def schema_by_id(self, spec: str) -> str:
        schema_id = parse_id(spec)
        text = self.store.schema_text(schema_id)
        if text is None:
            raise errors.schema_not_found(schema_id)
        return text

    def id_versions(self, spec: str, *, deleted: bool = False) -> list[Version]:
        schema_id = parse_id(spec)
        if self.store.schema_text(schema_id) is None:
            raise errors.schema_not_found(schema_id)
        return self.store.id_versions(schema_id, deleted=deleted)

    # ------------------------------------------------------------------ deletes
    async def delete_subject(self, subject: str, *, permanent: bool = False) -> list[int]:
        async with self._write_lock:
            await self.log.catch_up()
            every = self.store.versions(subject, deleted=True)
            if not every:
                raise errors.subject_not_found(subject)
            live = [v for v in every if not v.deleted]
            if not permanent:
                if not live:
                    raise errors.subject_soft_deleted(subject)
                await self.log.write([schema_record(_deleted(v)) for v in live])
                return [v.version for v in live]
            if live:
                raise errors.subject_not_soft_deleted(subject)
            records = [watermark_record(self.store.max_id())]
            records += [schema_tombstone(subject, v.version) for v in every]
            if self.store.subject_level(subject) is not None:
                records.append(config_tombstone(subject))
            await self.log.write(records)
            return [v.version for v in every]

    async def delete_version(self, subject: str, spec: str, *, permanent: bool = False) -> int:
        number = parse_version(spec)
        async with self._write_lock:
            await self.log.catch_up()
            every = self.store.versions(subject, deleted=True)
            if not every:
                raise errors.subject_not_found(subject)
            if number is None:
                candidates = every if permanent else [v for v in every if not v.deleted]
                if not candidates:
                    raise errors.subject_soft_deleted(subject)
                number = candidates[-1].version
            found = self.store.get(subject, number)
            if found is None:
                raise errors.version_not_found(subject, number)
            if not permanent:
                if found.deleted:
                    raise errors.version_soft_deleted(subject, number)
                await self.log.write([schema_record(_deleted(found))])
            else:
                if not found.deleted:
                    raise errors.version_not_soft_deleted(subject, number)
                await self.log.write(
                    [watermark_record(self.store.max_id()), schema_tombstone(subject, number)]
                )
            return number

    # ------------------------------------------------------------------ config
    def global_level(self) -> Level:
        return self.store.global_level()

    def subject_level(self, subject: str, *, default_to_global: bool = False) -> Level:
        level = self.store.subject_level(subject)
        if level is not None:
            return level
        if default_to_global:
            return self.store.global_level()
        raise errors.subject_level_not_configured(subject)

    async def set_level(self, subject: str | None, value: object) -> Level:
        level = compat.parse_level(value)
        async with self._write_lock:
            await self.log.write([config_record(subject, level)])
        return level

    async def delete_subject_level(self, subject: str) -> Level:
        async with self._write_lock:
            await self.log.catch_up()
            level = self.store.subject_level(subject)
            if level is None:
                raise errors.subject_not_found(subject)
            await self.log.write([config_tombstone(subject)])
            return level

    # ------------------------------------------------------------------ compatibility
    def test_compatibility(
        self, subject: str, spec: str | None, text: str, schema_type: object = None
    ) -> list[str]:
        """Why ``text`` is incompatible (empty list: compatible).

        With a version (``latest`` included) the check is against that one version, as in
        Confluent; without one (``/versions``) against the live versions the level covers, which
        is exactly what a registration would check.
        """
        parsed = _parse(text, schema_type, None)
        level = self.store.level_for(subject)
        live = self.store.versions(subject)
        if spec is None:
            targets = live
        else:
            number = parse_version(spec)
            if number is None:
                # Confluent answers "compatible" for a subject with nothing registered yet.
                targets = live[-1:]
            else:
                target = next((v for v in live if v.version == number), None)
                if target is None:
                    if not live:
                        raise errors.subject_not_found(subject)
                    raise errors.version_not_found(subject, number)
                targets = [target]
        existing = [(v.version, schemas.parse(v.schema).avro) for v in targets]
        return compat.check(level, parsed.avro, existing)


def _parse(text: str, schema_type: object, references: object) -> schemas.ParsedSchema:
    schemas.check_type(schema_type)
    if references:
        raise errors.invalid_schema(
            "schema references are not supported by this registry; inline the referenced "
            "named types into the schema"
        )
    return schemas.parse(text)


def _deleted(v: Version) -> Version:
    return Version(v.subject, v.version, v.schema_id, v.schema, deleted=True)
