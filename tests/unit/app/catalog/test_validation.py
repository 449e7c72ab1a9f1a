from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from app.catalog.errors import CatalogValidationError
from app.catalog.service import parse_amount, parse_change_id, parse_currency, parse_quantity
from app.errors import HeadwaterError


def test_good_values_parse() -> None:
    assert parse_amount("19.99") == Decimal("19.99")
    assert parse_amount(5) == Decimal(5)
    assert parse_currency("EUR") == "EUR"
    assert parse_quantity(0) == 0
    assert parse_quantity(-3, "delta", signed=True) == -3
    cid = uuid.uuid4()
    assert parse_change_id(str(cid)) == cid


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: parse_amount("0"), "amount"),
        (lambda: parse_amount("NaN"), "amount"),
        (lambda: parse_amount("1e20"), "amount"),
        (lambda: parse_amount("1.001"), "amount"),
        (lambda: parse_currency("euro"), "currency"),
        (lambda: parse_currency(None), "currency"),
        (lambda: parse_quantity(-1), "quantity"),
        (lambda: parse_quantity("3"), "quantity"),
        (lambda: parse_quantity(True), "quantity"),
        (lambda: parse_change_id("x"), "change_id"),
    ],
)
def test_bad_values_name_field_and_fix(call: object, field: str) -> None:
    with pytest.raises(CatalogValidationError) as err:
        call()  # type: ignore[operator]
    assert isinstance(err.value, HeadwaterError)
    assert not err.value.retriable
    assert err.value.field == field
    assert str(err.value).startswith(f"{field}: ")
    assert err.value.fix
