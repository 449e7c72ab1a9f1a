from __future__ import annotations

from app.recommend.model import Catalog, Context, Interaction, Product


def catalog(n: int = 20) -> Catalog:
    cats = ["Sunglasses", "Frames", "Lenses"]
    return Catalog(
        Product(f"i{n_}", ("Eyewear", cats[n_ % 3]), f"b{n_ % 4}", True, 10.0 + n_)
        for n_ in range(n)
    )


def views(user: str, items: list[str], t0: float = 0.0, kind: str = "view") -> list[Interaction]:
    return [Interaction(user, i, kind, t0 + n) for n, i in enumerate(items)]


def ctx(user: str = "u", recent: list[str] | None = None, **kw: object) -> Context:
    recent_items = [(i, float(n)) for n, i in enumerate(recent or [])]
    return Context(user, recent_items=recent_items, now=100.0, **kw)  # type: ignore[arg-type]
