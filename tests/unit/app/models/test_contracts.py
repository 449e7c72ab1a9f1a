"""Every Record mirrors its .avsc, every .avsc has a Record, and Records survive Avro binary."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypedDict

import fastavro
import faust
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.models import (
    AVRO_DIR,
    CONTRACTS,
    CleanedEvent,
    ConversionEvent,
    ConversionEventType,
    EnrichedEvent,
    LineItem,
    load_contract,
)
from app.models.base import ContractRecord
from app.models.conformance import dict_mismatches, mismatches, nested_records
from app.models.dicts import CleanedDict, EnrichedDict, LineItemDict, RawEventDict
from app.serialization.datum import from_datum, to_datum, uuid_fields
from app.wire.families import FAMILIES
from tests.unit.app.models.strategies import records

PAIRS = sorted(CONTRACTS.items(), key=lambda kv: kv[1])


def _all_subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    sub: type
    for sub in cls.__subclasses__():
        found |= {sub} | _all_subclasses(sub)
    return found


@pytest.mark.parametrize(("record", "name"), PAIRS, ids=[n for _, n in PAIRS])
def test_contract_loads_with_fastavro_and_in_namespace(
    record: type[faust.Record], name: str
) -> None:
    path = AVRO_DIR / f"{name}.avsc"
    parsed: Any = fastavro.schema.load_schema(str(path))
    assert parsed["name"] == f"io.headwater.{name}"


@pytest.mark.parametrize(("record", "name"), PAIRS, ids=[n for _, n in PAIRS])
def test_record_mirrors_its_contract(record: type[faust.Record], name: str) -> None:
    assert mismatches(record, load_contract(record)) == []


def test_every_contract_file_has_a_record_and_every_record_a_contract() -> None:
    files = {p.stem for p in AVRO_DIR.glob("*.avsc")}
    assert files == set(CONTRACTS.values())
    nested = set().union(*(nested_records(load_contract(r)) for r in CONTRACTS))
    records_in_code = {
        c.__name__ for c in _all_subclasses(ContractRecord) if c.__module__.startswith("app.models")
    }
    assert records_in_code == {r.__name__ for r in CONTRACTS} | nested


def test_a_nested_record_is_defined_identically_in_every_contract() -> None:
    seen: dict[str, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if node.get("type") == "record":
                first = seen.setdefault(node["name"], node)
                assert first == node, f"{node['name']} differs between contracts"
            for key in ("type", "items", "values", "fields"):
                walk(node.get(key))

    for record in CONTRACTS:
        for field in load_contract(record)["fields"]:
            walk(field)
    assert "LineItem" in seen


class _Drifted(faust.Record):
    """ConversionEvent after three careless edits: the checker must name each one."""

    event_id: str
    event_type: str
    occurred_at: datetime
    anonymous_id: str
    session_id: str
    user_id: str  # lost its nullability
    items: list[LineItem] = []
    total: float | None = None  # wrong type family
    currency: str | None = None
    email: str | None = None
    ip: str | None = None
    user_agent: str | None = None
    coupon: str | None = None  # not in the contract
    # order_id dropped


def test_the_checker_names_every_drift() -> None:
    schema = load_contract(ConversionEvent)
    schema["name"] = "_Drifted"
    problems = "\n".join(mismatches(_Drifted, schema))
    assert "_Drifted.order_id: in the .avsc, missing" in problems
    assert "_Drifted.coupon: in the _Drifted Record, missing" in problems
    assert "_Drifted.user_id: nullable in the .avsc only" in problems
    assert "_Drifted.total: Avro bytes/decimal needs Decimal" in problems
    assert "_Drifted.event_type: Avro enum ConversionEventType needs an enum.StrEnum" in problems
    assert "_Drifted.user_id: the .avsc has default None, the Record none" in problems


def test_the_checker_names_enum_symbol_drift() -> None:
    schema = load_contract(ConversionEvent)
    schema["fields"][1]["type"]["symbols"].append("exchange")
    problems = mismatches(ConversionEvent, schema)
    assert len(problems) == 1
    assert "ConversionEvent.event_type: enum ConversionEventType values" in problems[0]


def _avro_round_trip(record: faust.Record) -> faust.Record:
    schema = load_contract(type(record))
    parsed = fastavro.parse_schema(schema)
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, parsed, to_datum(record))
    buf.seek(0)
    datum = fastavro.schemaless_reader(buf, parsed, None)
    assert isinstance(datum, dict)
    return from_datum(type(record), datum, uuid_fields(schema))


@pytest.mark.parametrize(("record", "name"), PAIRS, ids=[n for _, n in PAIRS])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_record_survives_avro_binary(
    record: type[faust.Record], name: str, data: st.DataObject
) -> None:
    original = data.draw(records(record, load_contract(record)))
    decoded = _avro_round_trip(original)
    assert type(decoded) is record
    assert decoded == original
    assert json.dumps(decoded.asdict(), default=str) == json.dumps(original.asdict(), default=str)


def test_decoded_values_have_the_record_types() -> None:
    event = ConversionEvent(
        event_id="6a0c3b5e-1a52-4ac4-9d2a-0b0f2d6f8e11",
        event_type=ConversionEventType.RETURN,
        occurred_at=datetime(2024, 5, 1, 12, 30, 1, 250000, tzinfo=UTC),
        anonymous_id="anon-1",
        session_id="s-1",
        items=[LineItem(product_id="p-1", quantity=2, unit_price=Decimal("19.9"))],
        total=Decimal("39.80"),
    )
    decoded = _avro_round_trip(event)
    assert isinstance(decoded, ConversionEvent)
    assert decoded.event_type is ConversionEventType.RETURN
    assert isinstance(decoded.event_id, str)
    assert isinstance(decoded.items[0], LineItem)
    assert decoded.items[0].unit_price == Decimal("19.90")
    assert decoded.occurred_at == event.occurred_at


def test_default_containers_are_not_shared_between_records() -> None:
    a = LineItem(product_id="p", quantity=1, unit_price=Decimal(1))
    first = ConversionEvent(
        event_id="e1",
        event_type="order",
        occurred_at=datetime.now(UTC),
        anonymous_id="a",
        session_id="s",
    )
    second = ConversionEvent(
        event_id="e2",
        event_type="order",
        occurred_at=datetime.now(UTC),
        anonymous_id="a",
        session_id="s",
    )
    first.items.append(a)
    assert second.items == []


DICT_MIRRORS: dict[type, type] = {LineItem: LineItemDict}


@pytest.mark.parametrize(
    ("typed", "record", "subset"),
    [
        (LineItemDict, LineItem, False),
        (CleanedDict, CleanedEvent, False),
        (EnrichedDict, EnrichedEvent, False),
        *((RawEventDict, f.record, True) for f in FAMILIES.values()),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_stage_dicts_mirror_their_records(typed: type, record: type, subset: bool) -> None:
    assert dict_mismatches(typed, record, DICT_MIRRORS, subset=subset) == []


def test_the_dict_checker_names_drift() -> None:
    class Short(TypedDict):
        product_id: str
        quantity: str

    problems = dict_mismatches(Short, LineItem, DICT_MIRRORS)
    assert "Short vs LineItem: no key 'unit_price'" in problems
    assert any("Short vs LineItem.quantity" in p for p in problems)
