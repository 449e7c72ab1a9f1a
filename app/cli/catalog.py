"""``faust -A app catalog seed [--products N] [--seed S]`` and ``faust -A app catalog quality``."""

from __future__ import annotations

import asyncpg
import orjson
from faust.cli import AppCommand, argument, option

from app.catalog import quality, seed
from app.core import app, settings


@app.command(
    argument("action", type=str),
    option("--products", type=int, default=3000, help="products to generate (seed)"),
    option("--seed", "random_seed", type=int, default=42, help="random seed (seed)"),
    option("--examples", type=int, default=5, help="examples per check (quality)"),
)
async def catalog(
    self: AppCommand, action: str, products: int, random_seed: int, examples: int
) -> None:
    """Catalog maintenance: seed | quality."""
    if action not in ("seed", "quality"):
        raise SystemExit(f"unknown action {action!r}: use 'seed' or 'quality'")
    con = await asyncpg.connect(settings.database_url)
    try:
        if action == "seed":
            counts = await seed.load(con, seed.generate(products, random_seed))
            self.say(orjson.dumps(counts).decode())
            return
        results = await quality.run_checks(con, examples)
        self.say(orjson.dumps(quality.report(results), option=orjson.OPT_INDENT_2).decode())
        if any(r.count for r in results.values()):
            raise SystemExit(1)
    finally:
        await con.close()
