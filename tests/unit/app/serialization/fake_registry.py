"""A dict-backed schema registry with the methods of SchemaRegistryClient that Headwater calls.

Compatibility on register is judged on the whole schema with avro's checker (BACKWARD by
default), independently of the per-field analysis under test. ``calls`` records every call, so
a test can prove that encoding and decoding after warm-up do not reach the registry.
"""

from __future__ import annotations

import json
from typing import Any

from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType
from avro.schema import parse
from schema_registry.client.errors import ClientError
from schema_registry.client.schema import AvroSchema, BaseSchema
from schema_registry.client.utils import SchemaVersion


def _compatible(reader: dict[str, Any], writer: dict[str, Any]) -> bool:
    result = ReaderWriterCompatibilityChecker().get_compatibility(
        parse(json.dumps(reader)), parse(json.dumps(writer))
    )
    return result.compatibility is SchemaCompatibilityType.compatible


class FakeRegistry:
    def __init__(self, level: str = "BACKWARD") -> None:
        self.global_level = level
        self.levels: dict[str, str] = {}
        self.subjects: dict[str, list[int]] = {}
        self.by_id: dict[int, AvroSchema] = {}
        self.calls: list[str] = []

    @staticmethod
    def _schema(schema: Any) -> AvroSchema:
        return schema if isinstance(schema, AvroSchema) else AvroSchema(schema)

    def _id_for(self, schema: AvroSchema) -> int:
        for schema_id, known in self.by_id.items():
            if known.raw_schema == schema.raw_schema:
                return schema_id
        schema_id = len(self.by_id) + 1
        self.by_id[schema_id] = schema
        return schema_id

    def _is_compatible(self, subject: str, schema: AvroSchema) -> bool:
        ids = self.subjects.get(subject, [])
        if not ids:
            return True
        level = self.levels.get(subject, self.global_level)
        against = ids if level.endswith("_TRANSITIVE") else ids[-1:]
        new = schema.raw_schema
        for old in (self.by_id[i].raw_schema for i in against):
            if level.startswith(("BACKWARD", "FULL")) and not _compatible(new, old):
                return False
            if level.startswith(("FORWARD", "FULL")) and not _compatible(old, new):
                return False
        return True

    def register(self, subject: str, schema: Any, **kwargs: Any) -> int:
        self.calls.append(f"register {subject}")
        schema = self._schema(schema)
        ids = self.subjects.setdefault(subject, [])
        for i in ids:
            if self.by_id[i].raw_schema == schema.raw_schema:
                return i
        if self.levels.get(subject, self.global_level) != "NONE" and not self._is_compatible(
            subject, schema
        ):
            raise ClientError("Incompatible schema", http_code=409)
        schema_id = self._id_for(schema)
        ids.append(schema_id)
        return schema_id

    def get_by_id(self, schema_id: int, **kwargs: Any) -> BaseSchema | None:
        self.calls.append(f"get_by_id {schema_id}")
        return self.by_id.get(schema_id)

    def get_versions(self, subject: str, **kwargs: Any) -> list[int]:
        self.calls.append(f"get_versions {subject}")
        return list(range(1, len(self.subjects.get(subject, [])) + 1))

    def get_schema(
        self, subject: str, version: int | str = "latest", **kwargs: Any
    ) -> SchemaVersion | None:
        self.calls.append(f"get_schema {subject} {version}")
        ids = self.subjects.get(subject, [])
        if not ids:
            return None
        number = len(ids) if version == "latest" else int(version)
        schema_id = ids[number - 1]
        return SchemaVersion(subject, schema_id, self.by_id[schema_id], number)

    def check_version(self, subject: str, schema: Any, **kwargs: Any) -> SchemaVersion | None:
        self.calls.append(f"check_version {subject}")
        wanted = self._schema(schema).raw_schema
        for number, schema_id in enumerate(self.subjects.get(subject, []), start=1):
            if self.by_id[schema_id].raw_schema == wanted:
                return SchemaVersion(subject, schema_id, self.by_id[schema_id], number)
        return None

    def get_compatibility(self, subject: str | None = None, **kwargs: Any) -> str:
        self.calls.append(f"get_compatibility {subject}")
        if subject is None:
            return self.global_level
        if subject not in self.levels:
            raise ClientError("Subject not found", http_code=404)
        return self.levels[subject]

    def test_compatibility(
        self,
        subject: str,
        schema: Any,
        version: int | str = "latest",
        verbose: bool = False,
        **kwargs: Any,
    ) -> bool | dict[str, Any]:
        self.calls.append(f"test_compatibility {subject}")
        ok = self._is_compatible(subject, self._schema(schema))
        return {"is_compatible": ok, "messages": [] if ok else ["incompatible"]} if verbose else ok
