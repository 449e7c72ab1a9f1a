from __future__ import annotations

from decimal import Decimal

import pytest

from app.catalog.attributes import AttributeDefinition, violations

DEFS = [
    AttributeDefinition("shape", "enum", required=True, allowed=("round", "square")),
    AttributeDefinition("width", "integer", min_value=Decimal(40), max_value=Decimal(65)),
    AttributeDefinition("water", "number", min_value=Decimal(20), max_value=Decimal(80)),
    AttributeDefinition("polarized", "boolean"),
    AttributeDefinition("material", "text"),
]


def test_valid_attributes_pass() -> None:
    attrs = {"shape": "round", "width": 50, "water": 38.5, "polarized": False, "material": "x"}
    assert violations(DEFS, attrs) == []


@pytest.mark.parametrize(
    ("attrs", "expected"),
    [
        ({}, [("shape", "is required for this category")]),
        ({"shape": "triangle"}, [("shape", "must be one of round, square")]),
        ({"shape": "round", "width": 70}, [("width", "must be at most 65")]),
        ({"shape": "round", "width": 50.5}, [("width", "must be an integer")]),
        ({"shape": "round", "width": True}, [("width", "must be an integer")]),
        ({"shape": "round", "water": "wet"}, [("water", "must be a number")]),
        ({"shape": "round", "polarized": "yes"}, [("polarized", "must be true or false")]),
        ({"shape": "round", "colour": "red"}, [("colour", "is not defined for this category")]),
    ],
)
def test_each_violation_names_the_attribute(
    attrs: dict[str, object], expected: list[tuple[str, str]]
) -> None:
    assert violations(DEFS, attrs) == expected
