"""Registry semantics (ids, versions, deletes, config) over the in-memory log: no Kafka."""

from __future__ import annotations

import json

import pytest

from registry.compat import Level
from registry.errors import RegistryError
from registry.service import Registry, parse_version
from registry.store import Store
from tests.unit.registry.fakes import MemoryLog
from tests.unit.registry.schemas import (
    ADD_WITH_DEFAULT,
    ADD_WITHOUT_DEFAULT,
    CHANGE_TYPE,
    V1,
)


@pytest.fixture
def log() -> MemoryLog:
    return MemoryLog(Store())


@pytest.fixture
def reg(log: MemoryLog) -> Registry:
    return Registry(log.store, log)


def code(err: pytest.ExceptionInfo[RegistryError]) -> tuple[int, int]:
    return err.value.status, err.value.error_code


async def test_ids_are_global_and_reused_for_the_same_schema(reg: Registry) -> None:
    first = await reg.register("orders-value", V1)
    second = await reg.register("orders-value", ADD_WITH_DEFAULT)
    other_subject = await reg.register("returns-value", V1)
    assert (first, second, other_subject) == (1, 2, 1)
    assert reg.versions("orders-value") == [1, 2]
    assert reg.versions("returns-value") == [1]


async def test_re_registering_returns_the_same_id_and_adds_no_version(reg: Registry) -> None:
    schema_id = await reg.register("s", V1)
    # Same schema, other spelling: whitespace, key order, {"type": "int"} for "int".
    respelled = json.dumps(
        {
            "fields": [{"type": {"type": "int"}, "name": "a"}],
            "namespace": "t",
            "name": "Order",
            "type": "record",
        },
        indent=4,
    )
    assert await reg.register("s", respelled) == schema_id
    assert reg.versions("s") == [1]
    found = reg.lookup("s", respelled)
    assert (found.version, found.schema_id) == (1, schema_id)


async def test_defaults_are_part_of_identity(reg: Registry) -> None:
    await reg.set_level(None, "NONE")
    assert await reg.register("s", ADD_WITH_DEFAULT) != await reg.register("s", ADD_WITHOUT_DEFAULT)


async def test_incompatible_register_is_409_and_writes_nothing(
    reg: Registry, log: MemoryLog
) -> None:
    await reg.register("s", V1)
    written = len(log.records)
    with pytest.raises(RegistryError) as err:
        await reg.register("s", CHANGE_TYPE)
    assert code(err) == (409, 409)
    assert '"s"' in err.value.message
    assert len(log.records) == written


async def test_subject_level_overrides_global(reg: Registry) -> None:
    await reg.register("s", V1)
    await reg.set_level("s", "none")
    assert await reg.register("s", CHANGE_TYPE) == 2
    assert reg.subject_level("s") is Level.NONE
    assert reg.global_level() is Level.BACKWARD


async def test_soft_delete_hides_versions_but_keeps_ids(reg: Registry) -> None:
    schema_id = await reg.register("s", V1)
    assert await reg.delete_subject("s") == [1]
    assert reg.subjects() == []
    assert reg.subjects(deleted=True) == ["s"]
    with pytest.raises(RegistryError) as err:
        reg.versions("s")
    assert code(err) == (404, 40401)
    assert reg.versions("s", deleted=True) == [1]
    assert reg.schema_by_id(str(schema_id))  # still decodable by id
    with pytest.raises(RegistryError) as err:
        await reg.delete_subject("s")
    assert code(err) == (404, 40404)
    # Registering again continues the version numbers and reuses the id.
    assert await reg.register("s", V1) == schema_id
    assert reg.versions("s") == [2]


async def test_hard_delete_needs_a_soft_delete_first(reg: Registry) -> None:
    await reg.register("s", V1)
    with pytest.raises(RegistryError) as err:
        await reg.delete_subject("s", permanent=True)
    assert code(err) == (404, 40405)
    with pytest.raises(RegistryError) as err:
        await reg.delete_version("s", "1", permanent=True)
    assert code(err) == (404, 40407)


async def test_hard_delete_removes_the_id_and_never_reuses_it(reg: Registry) -> None:
    old_id = await reg.register("s", V1)
    await reg.set_level("s", "FULL")
    await reg.delete_subject("s")
    assert await reg.delete_subject("s", permanent=True) == [1]
    assert reg.subjects(deleted=True) == []
    with pytest.raises(RegistryError) as err:
        reg.schema_by_id(str(old_id))
    assert code(err) == (404, 40403)
    with pytest.raises(RegistryError) as err:
        reg.subject_level("s")
    assert code(err) == (404, 40408)
    new_id = await reg.register("s", V1)
    assert new_id > old_id
    assert reg.versions("s") == [1]


async def test_delete_version_soft_then_hard(reg: Registry) -> None:
    await reg.register("s", V1)
    await reg.register("s", ADD_WITH_DEFAULT)
    assert await reg.delete_version("s", "latest") == 2
    assert reg.versions("s") == [1]
    assert reg.get_version("s", "latest").version == 1
    assert reg.get_version("s", "2", deleted=True).version == 2
    with pytest.raises(RegistryError) as err:
        reg.get_version("s", "2")
    assert code(err) == (404, 40402)
    with pytest.raises(RegistryError) as err:
        await reg.delete_version("s", "2")
    assert code(err) == (404, 40406)
    assert await reg.delete_version("s", "2", permanent=True) == 2
    assert reg.versions("s", deleted=True) == [1]
    with pytest.raises(RegistryError) as err:
        await reg.delete_version("s", "9")
    assert code(err) == (404, 40402)


async def test_replaying_the_compacted_log_rebuilds_the_same_state(
    reg: Registry, log: MemoryLog
) -> None:
    await reg.register("a", V1)
    await reg.register("a", ADD_WITH_DEFAULT)
    await reg.register("b", CHANGE_TYPE)  # id 3, the highest
    await reg.set_level(None, "FULL")
    await reg.delete_subject("b")
    await reg.delete_subject("b", permanent=True)
    await reg.delete_version("a", "1")

    restarted = Store()
    for key, value in log.compacted():
        restarted.apply(key, value)
    again = Registry(restarted, MemoryLog(restarted))
    assert again.subjects() == ["a"]
    assert again.versions("a") == [2]
    assert again.versions("a", deleted=True) == [1, 2]
    assert again.global_level() is Level.FULL
    # id 3 was tombstoned and compacted away; the watermark keeps it from being handed out.
    assert restarted.max_id() == 3
    assert await again.register("c", CHANGE_TYPE) == 4


async def test_lookup_errors(reg: Registry) -> None:
    with pytest.raises(RegistryError) as err:
        reg.lookup("nope", V1)
    assert code(err) == (404, 40401)
    await reg.register("s", V1)
    with pytest.raises(RegistryError) as err:
        reg.lookup("s", CHANGE_TYPE)
    assert code(err) == (404, 40403)


@pytest.mark.parametrize(
    ("schema", "schema_type", "references"),
    [
        ("not json", None, None),
        ('{"type": "nosuchtype"}', None, None),
        ('{"type": "record", "name": "R", "fields": 5}', None, None),
        (V1, "PROTOBUF", None),
        (V1, "JSON", None),
        (V1, None, [{"name": "x", "subject": "y", "version": 1}]),
    ],
)
async def test_invalid_schemas_are_42201(
    reg: Registry, schema: str, schema_type: object, references: object
) -> None:
    with pytest.raises(RegistryError) as err:
        await reg.register("s", schema, schema_type, references)
    assert code(err) == (422, 42201)
    assert reg.subjects(deleted=True) == []


@pytest.mark.parametrize("text", ["0", "-2", "abc", "1.5", str(2**31)])
def test_invalid_versions_are_42202(text: str) -> None:
    with pytest.raises(RegistryError) as err:
        parse_version(text)
    assert code(err) == (422, 42202)


@pytest.mark.parametrize(("text", "expected"), [("latest", None), ("-1", None), ("3", 3)])
def test_valid_versions(text: str, expected: int | None) -> None:
    assert parse_version(text) == expected


async def test_config_errors(reg: Registry) -> None:
    with pytest.raises(RegistryError) as err:
        await reg.set_level(None, "SIDEWAYS")
    assert code(err) == (422, 42203)
    with pytest.raises(RegistryError) as err:
        reg.subject_level("s")
    assert code(err) == (404, 40408)
    assert reg.subject_level("s", default_to_global=True) is Level.BACKWARD
    with pytest.raises(RegistryError) as err:
        await reg.delete_subject_level("s")
    assert code(err) == (404, 40401)
    await reg.set_level("s", "FORWARD")
    assert await reg.delete_subject_level("s") is Level.FORWARD
    assert reg.subject_level("s", default_to_global=True) is Level.BACKWARD


async def test_compatibility_endpoint_semantics(reg: Registry) -> None:
    # Nothing registered yet: "latest" is compatible, a numbered version is not found.
    assert reg.test_compatibility("s", "latest", V1) == []
    with pytest.raises(RegistryError) as err:
        reg.test_compatibility("s", "1", V1)
    assert code(err) == (404, 40401)
    await reg.register("s", V1)
    assert reg.test_compatibility("s", "latest", ADD_WITH_DEFAULT) == []
    assert reg.test_compatibility("s", "1", CHANGE_TYPE) != []
    with pytest.raises(RegistryError) as err:
        reg.test_compatibility("s", "5", V1)
    assert code(err) == (404, 40402)


async def test_schema_id_versions(reg: Registry) -> None:
    schema_id = await reg.register("a", V1)
    await reg.register("b", V1)
    assert [(v.subject, v.version) for v in reg.id_versions(str(schema_id))] == [
        ("a", 1),
        ("b", 1),
    ]
    for bad in ("99", "x"):
        with pytest.raises(RegistryError) as err:
            reg.id_versions(bad)
        assert code(err) == (404, 40403)
