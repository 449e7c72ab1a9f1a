"""``faust -A app generate``: send realistic sample traffic to the raw topics."""

from __future__ import annotations

from faust.cli import AppCommand, option

from app.core import app, settings
from app.generator.produce import produce
from app.generator.traffic import Catalog, TrafficGenerator


@app.command(
    option("--events", type=int, default=10_000, help="How many events."),
    option("--bots", type=float, default=0.1, help="Share of bot events."),
    option("--malformed", type=float, default=0.05, help="Share of malformed events."),
    option("--pii", type=float, default=0.2, help="Share of searches with PII in the text."),
    option("--rate", type=float, default=0.0, help="Events per second (0: as fast as possible)."),
    option("--seed", type=int, default=7, help="Random seed (same seed, same traffic)."),
    option(
        "--catalog-products",
        type=int,
        default=3000,
        help="Browse the products of `catalog seed --products N` (0: synthetic ids).",
    ),
)
async def generate(
    self: AppCommand,
    events: int,
    bots: float,
    malformed: float,
    pii: float,
    rate: float,
    seed: int,
    catalog_products: int,
) -> None:
    """Produce sample sessions for all four event families."""
    catalog = Catalog.from_seed(catalog_products) if catalog_products else Catalog.synthetic()
    traffic = TrafficGenerator(
        catalog, seed=seed, bot_share=bots, malformed_share=malformed, pii_share=pii
    ).events(events)
    took = await produce(settings, traffic, rate or None)
    print(f"produced {len(traffic)} events in {took:.1f}s ({len(traffic) / took:,.0f}/s)")
