"""The whole API through python-schema-registry-client, as Headwater's workers use it."""

from __future__ import annotations

from schema_registry.client import SchemaRegistryClient, schema

from tests.integration.harness import unique
from tests.integration.registry.avro_schemas import A_STRING, B_DEFAULT, A, record


def test_full_api_through_the_python_client(registry: str) -> None:
    client = SchemaRegistryClient(url=registry)
    subject, other = unique("orders-value"), unique("returns-value")
    v1 = schema.AvroSchema(record(A))
    v2 = schema.AvroSchema(record(A, B_DEFAULT))
    bad = schema.AvroSchema(record(A_STRING))

    first = client.register(subject, v1)
    second = client.register(subject, v2)
    assert second == first + 1
    # A fresh client has no cache: these answers come from the server.
    fresh = SchemaRegistryClient(url=registry)
    assert fresh.register(subject, v1) == first
    assert fresh.register(other, v1) == first

    assert {subject, other} <= set(fresh.get_subjects())
    assert fresh.get_versions(subject) == [1, 2]
    latest = fresh.get_schema(subject)
    assert latest is not None
    assert (latest.schema_id, latest.version) == (second, 2)
    assert latest.schema.raw_schema == v2.raw_schema
    by_number = fresh.get_schema(subject, version=1)
    assert by_number is not None
    assert by_number.schema_id == first
    by_id = fresh.get_by_id(first)
    assert by_id is not None
    assert by_id.raw_schema == v1.raw_schema
    found = fresh.check_version(subject, v2)
    assert found is not None
    assert (found.schema_id, found.version) == (second, 2)
    users = fresh.get_schema_subject_versions(first)
    assert users is not None
    assert {(s.subject, s.version) for s in users} == {
        (subject, 1),
        (other, 1),
    }

    assert fresh.test_compatibility(subject, v2) is True
    assert fresh.test_compatibility(subject, bad) is False
    verbose = fresh.test_compatibility(subject, bad, verbose=True)
    assert isinstance(verbose, dict)
    assert verbose["is_compatible"] is False
    assert verbose["messages"]

    assert fresh.update_compatibility("FULL", subject) is True
    assert fresh.get_compatibility(subject) == "FULL"
    assert fresh.get_compatibility() == "BACKWARD"

    assert fresh.delete_version(subject, 2) == 2
    assert fresh.get_versions(subject) == [1]
    assert fresh.delete_subject(other) == [1]
    assert other not in fresh.get_subjects()
    assert fresh.get_versions(other) == []
