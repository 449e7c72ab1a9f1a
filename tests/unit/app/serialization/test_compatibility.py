"""Field names and directions of incompatibilities, computed locally."""

from __future__ import annotations

from typing import Any

import pytest

from app.models import ClickstreamEvent, load_contract
from app.serialization.compatibility import field_diff, incompatibilities


def _edit(contract: dict[str, Any], name: str, **changes: Any) -> dict[str, Any]:
    fields = [{**f, **changes} if f["name"] == name else f for f in contract["fields"]]
    return {**contract, "fields": fields}


@pytest.fixture
def contract() -> dict[str, Any]:
    return load_contract(ClickstreamEvent)


def test_identical_contracts_have_no_incompatibility(contract: dict[str, Any]) -> None:
    for level in ("BACKWARD", "FORWARD", "FULL_TRANSITIVE"):
        assert incompatibilities(contract, [(1, contract)], level) == []


def test_making_a_nullable_field_required_breaks_backward_at_that_field(
    contract: dict[str, Any],
) -> None:
    new = _edit(contract, "user_id", type="string")
    del next(f for f in new["fields"] if f["name"] == "user_id")["default"]
    found = incompatibilities(new, [(4, contract)], "BACKWARD")
    assert [(p.field, p.version) for p in found] == [("user_id", 4)]
    assert "new contract cannot read old data" in str(found[0])


def test_removing_an_enum_symbol_breaks_backward_but_not_forward(contract: dict[str, Any]) -> None:
    field = next(f for f in contract["fields"] if f["name"] == "event_type")
    fewer = {**field["type"], "symbols": field["type"]["symbols"][:-1]}
    new = _edit(contract, "event_type", type=fewer)
    assert [p.field for p in incompatibilities(new, [(1, contract)], "BACKWARD")] == ["event_type"]
    assert incompatibilities(new, [(1, contract)], "FORWARD") == []


def test_transitive_levels_check_every_version_and_plain_levels_only_the_last(
    contract: dict[str, Any],
) -> None:
    v1 = {**contract, "fields": [*contract["fields"], {"name": "x", "type": "int", "doc": "x"}]}
    versions: list[tuple[int | None, Any]] = [(1, contract), (2, v1)]
    new = v1
    assert incompatibilities(new, versions, "BACKWARD") == []
    transitive = incompatibilities(new, versions, "BACKWARD_TRANSITIVE")
    assert [(p.field, p.version) for p in transitive] == [("x", 1)]
    assert incompatibilities(new, versions, "NONE") == []


def test_field_diff_is_readable(contract: dict[str, Any]) -> None:
    new = _edit(contract, "quantity", type=["null", "long"])
    new["fields"] = [f for f in new["fields"] if f["name"] != "referrer"]
    new["fields"].append({"name": "coupon", "type": "string", "doc": "c"})
    assert field_diff(contract, new) == [
        "+ coupon: string (no default)",
        "- referrer: null|string",
        "~ quantity: null|int -> null|long",
    ]
