"""A realistic sample catalog for the demo and tests: deterministic for a given seed.

An optical retailer: frames, sunglasses, contact lenses, lens care and accessories, with
variants (colour/size or pack), stock at five locations, EUR prices and, where products need
one, prescription data. Rows go in by COPY, so the audit and outbox triggers fire as for any
other write (a seeded catalog is published on ``catalog.changes`` like any change).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import asyncpg

from app.catalog.db import dumps

TAXONOMY: list[tuple[str, str | None, str]] = [
    ("eyewear", None, "Eyewear"),
    ("optical-frames", "eyewear", "Optical frames"),
    ("sunglasses", "eyewear", "Sunglasses"),
    ("sports-sunglasses", "sunglasses", "Sports sunglasses"),
    ("contact-lenses", None, "Contact lenses"),
    ("daily-lenses", "contact-lenses", "Daily lenses"),
    ("monthly-lenses", "contact-lenses", "Monthly lenses"),
    ("toric-lenses", "contact-lenses", "Toric lenses"),
    ("lens-care", None, "Lens care"),
    ("solutions", "lens-care", "Solutions"),
    ("lens-cases", "lens-care", "Lens cases"),
    ("accessories", None, "Accessories"),
    ("eyewear-cases", "accessories", "Eyewear cases"),
    ("cleaning", "accessories", "Cleaning"),
    ("straps", "accessories", "Straps and chains"),
]

# (category, name, type, required, allowed, min, max, unit)
ATTRIBUTES: list[
    tuple[str, str, str, bool, list[str] | None, int | None, int | None, str | None]
] = [
    (
        "eyewear",
        "frame_material",
        "enum",
        True,
        ["acetate", "metal", "titanium", "tr90"],
        None,
        None,
        None,
    ),
    (
        "eyewear",
        "frame_shape",
        "enum",
        True,
        ["round", "square", "aviator", "cat_eye", "rectangle", "oval"],
        None,
        None,
        None,
    ),
    ("eyewear", "gender", "enum", False, ["women", "men", "unisex"], None, None, None),
    ("eyewear", "lens_width_mm", "integer", False, None, 40, 65, "mm"),
    ("eyewear", "bridge_mm", "integer", False, None, 14, 24, "mm"),
    ("sunglasses", "polarized", "boolean", True, None, None, None, None),
    ("sunglasses", "uv_protection", "enum", False, ["UV400", "UV380"], None, None, None),
    ("contact-lenses", "pack_size", "integer", True, None, 1, 180, "lenses"),
    ("contact-lenses", "water_content_pct", "number", False, None, 20, 80, "%"),
    (
        "contact-lenses",
        "wear_schedule",
        "enum",
        True,
        ["daily", "biweekly", "monthly"],
        None,
        None,
        None,
    ),
    ("lens-care", "volume_ml", "integer", False, None, 1, 1000, "ml"),
    ("accessories", "material", "text", False, None, None, None, None),
]

LOCATIONS = [
    ("WH-CENTRAL", "Central warehouse", "warehouse", "DE"),
    ("ST-BERLIN", "Berlin Mitte", "store", "DE"),
    ("ST-PARIS", "Paris Marais", "store", "FR"),
    ("ST-MADRID", "Madrid Centro", "store", "ES"),
    ("ONLINE", "Web shop", "online", "DE"),
]

BRANDS = ["Lumen", "Nordlys", "Vista", "Ocelle", "Brava", "Kestrel", "Solano", "Iris & Co"]
MODELS = ["Aria", "Bolt", "Cove", "Dune", "Echo", "Fjord", "Gala", "Halo", "Isla", "Juno"]
COLORS = ["black", "tortoise", "gold", "silver", "crystal", "navy", "havana", "rose"]
# Weight of each leaf category in the generated catalog.
LEAVES = {
    "optical-frames": 30, "sunglasses": 18, "sports-sunglasses": 6, "daily-lenses": 10,
    "monthly-lenses": 8, "toric-lenses": 5, "solutions": 8, "lens-cases": 4,
    "eyewear-cases": 5, "cleaning": 4, "straps": 2,
}  # fmt: skip
_ROOT = {c: (p or c) for c, p, _ in TAXONOMY}
VALID_FROM = datetime(2024, 1, 1, tzinfo=UTC)
#: Column order of the row tuples in :class:`Catalog`.
COLUMNS = {
    "products": [
        "product_id",
        "name",
        "brand",
        "description",
        "category_id",
        "attributes",
        "requires_prescription",
    ],
    "variants": ["sku", "product_id", "color", "size", "barcode"],
    "prices": ["sku", "product_id", "currency", "amount", "valid_from"],
    "inventory": ["sku", "product_id", "location_id", "quantity"],
    "media_assets": ["product_id", "kind", "url", "position", "alt_text"],
    "prescription_attributes": [
        "product_id",
        "lens_type",
        "power_min",
        "power_max",
        "cylinder_min",
        "cylinder_max",
        "base_curve_mm",
        "diameter_mm",
    ],
}


def root_of(category: str) -> str:
    while _ROOT[category] != category:
        category = _ROOT[category]
    return category


@dataclass
class Catalog:
    products: list[tuple[Any, ...]] = field(default_factory=list)
    variants: list[tuple[Any, ...]] = field(default_factory=list)
    prices: list[tuple[Any, ...]] = field(default_factory=list)
    inventory: list[tuple[Any, ...]] = field(default_factory=list)
    media: list[tuple[Any, ...]] = field(default_factory=list)
    prescription: list[tuple[Any, ...]] = field(default_factory=list)


def _attributes(rng: random.Random, category: str) -> dict[str, Any]:
    root = root_of(category)
    if root == "eyewear":
        a: dict[str, Any] = {
            "frame_material": rng.choice(["acetate", "metal", "titanium", "tr90"]),
            "frame_shape": rng.choice(
                ["round", "square", "aviator", "cat_eye", "rectangle", "oval"]
            ),
            "gender": rng.choice(["women", "men", "unisex"]),
            "lens_width_mm": rng.randint(46, 58),
            "bridge_mm": rng.randint(15, 22),
        }
        if category != "optical-frames":
            a["polarized"] = rng.random() < 0.5
            a["uv_protection"] = "UV400"
        return a
    if root == "contact-lenses":
        schedule = {"daily-lenses": "daily", "monthly-lenses": "monthly"}.get(category, "biweekly")
        return {
            "pack_size": {"daily": 30, "monthly": 6, "biweekly": 6}[schedule],
            "water_content_pct": round(rng.uniform(33, 78), 1),
            "wear_schedule": schedule,
        }
    if root == "lens-care":
        return {"volume_ml": rng.choice([60, 100, 360])} if category == "solutions" else {}
    return {"material": rng.choice(["leather", "microfibre", "silicone", "steel"])}


def _price(rng: random.Random, category: str) -> Decimal:
    low, high = {
        "eyewear": (49, 289), "contact-lenses": (14, 69), "lens-care": (4, 24),
        "accessories": (3, 39),
    }[root_of(category)]  # fmt: skip
    return Decimal(rng.randint(low, high)) + Decimal("0.99") - Decimal(1)


def generate(products: int = 3000, seed: int = 42) -> Catalog:
    """The catalog as row tuples, in the column order of :func:`load`."""
    rng = random.Random(seed)
    leaves, weights = zip(*LEAVES.items(), strict=True)
    out = Catalog()
    for n in range(1, products + 1):
        pid = f"P{n:06d}"
        category = rng.choices(leaves, weights)[0]
        root = root_of(category)
        brand = rng.choice(BRANDS)
        name = f"{brand} {rng.choice(MODELS)} {n % 97}"
        rx = (
            root == "contact-lenses"
            or (category == "optical-frames")
            or (category == "sunglasses" and rng.random() < 0.2)
        )
        attrs = _attributes(rng, category)
        out.products.append(
            (pid, name, brand, f"{name}: {category.replace('-', ' ')}", category, dumps(attrs), rx)
        )
        options: list[tuple[str | None, str]]
        if root == "eyewear":
            options = [(c, s) for c in rng.sample(COLORS, rng.randint(1, 3)) for s in ("M", "L")]
        else:
            options = [(None, size) for size in rng.sample(["1", "2", "3"], rng.randint(1, 2))]
        base = _price(rng, category)
        for i, (color, size) in enumerate(options, start=1):
            sku = f"{pid}-{i:02d}"
            out.variants.append((sku, pid, color, size, f"40{n:07d}{i:02d}"))
            multiple = Decimal(size) if color is None and size else Decimal(1)
            out.prices.append((sku, pid, "EUR", base * multiple, VALID_FROM))
            for location, *_ in LOCATIONS:
                if rng.random() < 0.8:
                    out.inventory.append(
                        (sku, pid, location, rng.choice([0, 1, 2, 3, 5, 8, 13, 40]))
                    )
        out.media.append((pid, "image", f"https://img.example.com/{pid}/1.jpg", 0, name))
        if rx:
            if root == "contact-lenses":
                lens = "toric" if category == "toric-lenses" else "single_vision"
                cyl: tuple[Decimal | None, Decimal | None] = (
                    (Decimal("-2.25"), Decimal("-0.75")) if lens == "toric" else (None, None)
                )
                out.prescription.append(
                    (
                        pid,
                        lens,
                        Decimal("-12.00"),
                        Decimal("8.00"),
                        *cyl,
                        Decimal("8.60"),
                        Decimal("14.20"),
                    )
                )
            else:
                lens = rng.choice(["single_vision", "progressive", "bifocal"])
                out.prescription.append(
                    (
                        pid,
                        lens,
                        Decimal("-10.00"),
                        Decimal("6.00"),
                        Decimal("-4.00"),
                        Decimal("0.00"),
                        None,
                        None,
                    )
                )
    return out


async def load(con: asyncpg.Connection, catalog: Catalog, *, actor: str = "seed") -> dict[str, int]:
    """Insert taxonomy, definitions, locations and ``catalog`` in one transaction."""
    async with con.transaction():
        await con.execute("SELECT set_config('headwater.actor', $1, true)", actor)
        await con.executemany(
            "INSERT INTO taxonomy (category_id, parent_id, name) VALUES ($1, $2, $3) "
            "ON CONFLICT DO NOTHING",
            TAXONOMY,
        )
        await con.executemany(
            "INSERT INTO attribute_definitions (category_id, name, type, required, allowed, "
            "min_value, max_value, unit) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8) "
            "ON CONFLICT DO NOTHING",
            [
                (c, n, t, r, None if a is None else dumps(a), lo, hi, u)
                for c, n, t, r, a, lo, hi, u in ATTRIBUTES
            ],
        )
        await con.executemany(
            "INSERT INTO locations (location_id, name, kind, country) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT DO NOTHING",
            LOCATIONS,
        )
        tables = [
            ("products", catalog.products),
            ("variants", catalog.variants),
            ("prices", catalog.prices),
            ("inventory", catalog.inventory),
            ("media_assets", catalog.media),
            ("prescription_attributes", catalog.prescription),
        ]
        counts = {}
        for table, rows in tables:
            await con.copy_records_to_table(table, records=rows, columns=COLUMNS[table])
            counts[table] = len(rows)
        return counts
