"""MovieLens as a shop: movies become products, genres their categories, ratings interactions.

Mapping (docs/eval.md): a movie ``242`` is product ``ml-242`` with categories
``("movies", "movies/Comedy", ...)`` (one per genre: a movie sits in several). A rating becomes
one :class:`Interaction` at its timestamp. ``binary`` (the published table's protocol): every
rating is a ``rating`` interaction of weight 1. ``graded``: a rating >= 4 is an ``order``
(strength 5), below 4 a ``view`` (strength 1), for the engine's kind weights.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from app.recommend.model import Catalog, Interaction, Product, Profile
from bench.eval.data import Ratings

MAPPINGS = ("binary", "graded")
ROOT = "movies"


def product_id(raw: str) -> str:
    return f"ml-{raw}"


def categories(genres: list[str]) -> tuple[str, ...]:
    return (ROOT, *(f"{ROOT}/{g}" for g in genres))


def catalog(r: Ratings) -> Catalog:
    return Catalog(
        Product(item_id=product_id(raw), category=categories(g))
        for raw, g in zip(r.item_ids, r.genres, strict=True)
    )


def interactions(r: Ratings, rows: np.ndarray, mapping: str = "binary") -> list[Interaction]:
    """The chosen rows as interactions in timestamp order (file order breaks ties)."""
    if mapping not in MAPPINGS:
        raise ValueError(f"unknown mapping {mapping!r}; choose one of {', '.join(MAPPINGS)}")
    rows = rows[np.lexsort((rows, r.ts[rows]))]
    users, items = r.user_ids, [product_id(i) for i in r.item_ids]
    out = []
    for u, i, rating, ts in zip(
        r.user[rows].tolist(), r.item[rows].tolist(), r.rating[rows].tolist(), r.ts[rows].tolist(),
        strict=True,
    ):  # fmt: skip
        kind = "rating" if mapping == "binary" else ("order" if rating >= 4 else "view")
        out.append(Interaction(user_key=users[u], item_id=items[i], kind=kind, ts=float(ts)))
    return out


def profiles(events: list[Interaction], cat: Catalog) -> dict[str, Profile]:
    """Genre shares of each user's interaction strength: the profile stage's job, done offline.

    The worker's profile stage (app/enrich/profiles.py) folds one category path per product with
    a 14-day half-life; a movie has several genres and the ratings span seven months, so here
    each genre gets the full strength and nothing decays.
    """
    acc: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for it in events:
        p = cat.get(it.item_id)
        for c in p.category[1:] if p else ():
            acc[it.user_key][c] += it.strength
    out = {}
    for user, cats in acc.items():
        total = sum(cats.values()) or 1.0
        out[user] = Profile(category_affinity={c: v / total for c, v in cats.items()})
    return out
