"""The engine's vocabulary: interactions, catalog entries, profiles, request context.

Plain frozen dataclasses so that the Faust agent, the HTTP view and the offline evaluation can
build them without a broker or a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

KINDS = ("view", "cart", "order", "rating")
#: How much one interaction of each kind says about interest (an order says most).
KIND_WEIGHTS: Mapping[str, float] = {"view": 1.0, "cart": 3.0, "order": 5.0, "rating": 1.0}


@dataclass(frozen=True, slots=True)
class Interaction:
    user_key: str
    item_id: str
    kind: str
    ts: float
    weight: float = 1.0

    @property
    def strength(self) -> float:
        return KIND_WEIGHTS.get(self.kind, 1.0) * self.weight


@dataclass(frozen=True, slots=True)
class Product:
    item_id: str
    category: tuple[str, ...] = ()
    brand: str | None = None
    in_stock: bool = True
    price: float | None = None
    #: (min sphere, max sphere) the product can be made for; None when not prescription-bound.
    prescription: tuple[float, float] | None = None

    @property
    def leaf(self) -> str | None:
        return self.category[-1] if self.category else None


class Catalog:
    """Item → :class:`Product`, with category and brand indexes for the affinity generator."""

    def __init__(self, products: Iterable[Product] = ()) -> None:
        self._items: dict[str, Product] = {}
        self._by_category: dict[str, set[str]] = {}
        self._by_brand: dict[str, set[str]] = {}
        for p in products:
            self.put(p)

    def put(self, product: Product) -> None:
        self.remove(product.item_id)
        self._items[product.item_id] = product
        for c in product.category:
            self._by_category.setdefault(c, set()).add(product.item_id)
        if product.brand:
            self._by_brand.setdefault(product.brand, set()).add(product.item_id)

    def remove(self, item_id: str) -> None:
        old = self._items.pop(item_id, None)
        if old is None:
            return
        for c in old.category:
            self._by_category.get(c, set()).discard(item_id)
        if old.brand:
            self._by_brand.get(old.brand, set()).discard(item_id)

    def get(self, item_id: str) -> Product | None:
        return self._items.get(item_id)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._items

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[str]:
        """The item ids, copied first: the catalog may change while the caller iterates."""
        return iter(list(self._items))

    def in_category(self, category: str) -> set[str]:
        """Items whose category path contains ``category`` at any level."""
        return self._by_category.get(category, set())

    def of_brand(self, brand: str) -> set[str]:
        return self._by_brand.get(brand, set())


@dataclass(frozen=True)
class Profile:
    category_affinity: Mapping[str, float] = field(default_factory=dict)
    brand_affinity: Mapping[str, float] = field(default_factory=dict)
    #: The price range the user buys in, when the profile knows it (a personal rule).
    price_band: tuple[float, float] | None = None


@dataclass
class Context:
    user_key: str
    recent_items: list[tuple[str, float]] = field(default_factory=list)
    purchased: set[str] = field(default_factory=set)
    profile: Profile | None = None
    #: The user's sphere (dioptres) when known.
    prescription: float | None = None
    consent_personalization: bool = True
    #: Where the list is shown (e.g. "home", "pdp", a category name); generators may narrow on it.
    context: str | None = None
    now: float = 0.0
    #: Items never to return (for example everything the user has rated, in offline evaluation).
    seen: frozenset[str] = frozenset()
    #: A session or user embedding computed elsewhere; the vector generator uses it first.
    embedding: Sequence[float] | None = None

    @property
    def personal(self) -> bool:
        return self.consent_personalization


@runtime_checkable
class Generator(Protocol):
    """A candidate generator: usable alone, updated online, scored per request."""

    name: str
    #: Whether it uses personal data (history, profile); such generators need consent.
    personal: bool

    def update(self, interactions: Sequence[Interaction]) -> None: ...

    def candidates(self, ctx: Context, k: int) -> dict[str, float]: ...

    def explain(self, ctx: Context, item_id: str) -> str: ...
