"""warm_up registers contracts off the loop and names the fields of an incompatible one."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest

from app.models import AuthEvent, ConversionEvent, load_contract
from app.serialization import ContractError, avro_codec, warm_up
from app.serialization.codec import get_avro_codec
from tests.unit.app.serialization.fake_registry import FakeRegistry


def _subject() -> str:
    return f"t-{uuid.uuid4().hex[:8]}-value"


def _without(contract: dict[str, Any], *names: str) -> dict[str, Any]:
    return {**contract, "fields": [f for f in contract["fields"] if f["name"] not in names]}


async def test_warm_up_registers_each_contract_in_a_worker_thread(registry: FakeRegistry) -> None:
    threads: list[str] = []
    register = registry.register

    def spy(subject: str, schema: Any, **kwargs: Any) -> int:
        threads.append(threading.current_thread().name)
        return register(subject, schema, **kwargs)

    registry.register = spy  # type: ignore[method-assign]
    a, b = _subject(), _subject()
    ids = await warm_up([avro_codec(a, ConversionEvent), avro_codec(b, AuthEvent)])
    assert set(ids) == {a, b}
    assert get_avro_codec(a).schema_id == ids[a]
    assert threads
    assert threading.main_thread().name not in threads


async def test_warm_up_again_makes_no_registry_call(registry: FakeRegistry) -> None:
    name = avro_codec(_subject(), ConversionEvent)
    first = await warm_up([name])
    registry.calls.clear()
    codec = get_avro_codec(name)
    assert codec.register() == next(iter(first.values()))
    assert registry.calls == []


async def test_an_incompatible_contract_raises_contract_error_naming_the_field(
    registry: FakeRegistry,
) -> None:
    subject = _subject()
    # Registered before: the contract without anonymous_id. The contract adds it without a
    # default, so under BACKWARD the new contract cannot read the old data.
    registry.register(subject, _without(load_contract(AuthEvent), "anonymous_id"))
    with pytest.raises(ContractError) as caught:
        await warm_up([avro_codec(subject, AuthEvent)])
    err = caught.value
    assert err.subject == subject
    assert err.fields == ["anonymous_id"]
    assert err.level == "BACKWARD"
    assert subject in str(err)
    assert "anonymous_id" in str(err)
    assert "avro/AuthEvent.avsc" in str(err)


async def test_a_type_change_in_a_nested_record_is_named_with_its_path(
    registry: FakeRegistry,
) -> None:
    subject = _subject()
    old = load_contract(ConversionEvent)
    items = next(f for f in old["fields"] if f["name"] == "items")
    for field in items["type"]["items"]["fields"]:
        if field["name"] == "quantity":
            field["type"] = "string"
    registry.register(subject, old)
    with pytest.raises(ContractError) as caught:
        await warm_up([avro_codec(subject, ConversionEvent)])
    assert caught.value.fields == ["items[].quantity"]


async def test_forward_level_checks_the_other_direction(registry: FakeRegistry) -> None:
    subject = _subject()
    registry.levels[subject] = "FORWARD"
    # Registered: a contract with an extra required field. The new contract drops it, so old
    # readers cannot fill it from new data.
    old = load_contract(AuthEvent)
    old["fields"].append({"name": "tenant", "type": "string", "doc": "Tenant."})
    registry.register(subject, old)
    with pytest.raises(ContractError) as caught:
        await warm_up([avro_codec(subject, AuthEvent)])
    assert caught.value.fields == ["tenant"]
    assert caught.value.level == "FORWARD"


async def test_a_compatible_change_registers_a_new_version(registry: FakeRegistry) -> None:
    subject = _subject()
    registry.register(subject, _without(load_contract(AuthEvent), "method"))  # method has a default
    ids = await warm_up([avro_codec(subject, AuthEvent)])
    assert registry.subjects[subject] == [1, ids[subject]]
