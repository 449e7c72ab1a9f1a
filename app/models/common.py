"""Nested records shared by several contracts (defined inline in each .avsc that uses them)."""

from decimal import Decimal

from app.models.base import ContractRecord


class LineItem(ContractRecord):
    """``io.headwater.LineItem``: one product line of a cart, checkout, order or return."""

    product_id: str
    quantity: int
    unit_price: Decimal
