from __future__ import annotations

import pytest

from app.vectors.buffer import WriteBuffer
from app.vectors.errors import VectorError
from app.vectors.schema import Names, filter_expr


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_the_buffer_keeps_the_last_write_of_an_id() -> None:
    buf = WriteBuffer(max_rows=10, max_age=1.0)
    buf.add("c", [{"id": "a", "v": 1}, {"id": "b", "v": 1}])
    buf.add("c", [{"id": "a", "v": 2}])
    assert buf.drain() == {"c": [{"id": "a", "v": 2}, {"id": "b", "v": 1}]}
    assert len(buf) == 0


def test_the_buffer_is_due_by_size_or_by_age() -> None:
    clock = Clock()
    buf = WriteBuffer(max_rows=2, max_age=1.0, clock=clock)
    assert not buf.due()
    buf.add("c", [{"id": "a"}])
    assert not buf.due()
    clock.t = 1.5
    assert buf.due()
    buf.drain()
    buf.add("c", [{"id": "a"}, {"id": "b"}])
    assert buf.due()


def test_restore_does_not_overwrite_a_newer_row() -> None:
    buf = WriteBuffer()
    failed = [{"id": "a", "v": 1}, {"id": "b", "v": 1}]
    buf.add("c", [{"id": "a", "v": 2}])
    buf.restore("c", failed)
    assert sorted(buf.drain()["c"], key=lambda r: r["id"]) == [
        {"id": "a", "v": 2},
        {"id": "b", "v": 1},
    ]


def test_names() -> None:
    n = Names("t1_")
    assert n.physical("products", "v2") == "t1_products_v2"
    assert n.alias("products") == "t1_products"
    assert n.previous_alias("users") == "t1_users__previous"
    assert n.version_of("products", "t1_products_v2") == "v2"
    with pytest.raises(VectorError, match="unknown vector collection 'carts'"):
        n.alias("carts")
    with pytest.raises(VectorError, match="prefix"):
        Names("t-1")


def test_filter_expressions_escape_strings() -> None:
    assert filter_expr() == ""
    assert filter_expr(category="x", in_stock=True) == 'category == "x" and in_stock == true'
    assert filter_expr(price_band='a"b\\') == 'price_band == "a\\"b\\\\"'
