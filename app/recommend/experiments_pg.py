"""The experiment store in PostgreSQL (migration 0011): the report's counting is one query."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg
import orjson

from app.recommend.errors import ExperimentError
from app.recommend.experiments import OUTCOME_OF_KIND, Counts, Experiment

_COUNTS = """
WITH x AS (
    SELECT e.id, e.variant, e.user_key,
           bool_or(o.kind = 'click') AS clicked,
           bool_or(o.kind = 'cart')  AS carted,
           bool_or(o.kind = 'order') AS ordered
      FROM rec_exposures e
      LEFT JOIN rec_outcomes o
        ON o.user_key = e.user_key
       AND o.ts >= e.ts AND o.ts < e.ts + $2
       AND o.item_id = ANY (e.items)
     WHERE e.experiment_id = $1
     GROUP BY e.id, e.variant, e.user_key
)
SELECT variant,
       count(*)                              AS exposures,
       count(DISTINCT user_key)              AS users,
       count(*) FILTER (WHERE clicked)       AS clicks,
       count(*) FILTER (WHERE carted)        AS carts,
       count(*) FILTER (WHERE ordered)       AS orders
  FROM x GROUP BY variant
"""


def _from_row(row: asyncpg.Record) -> Experiment:
    variants = row["variants"]
    if isinstance(variants, str):
        variants = orjson.loads(variants)
    return Experiment.from_dict(
        {
            "id": row["id"],
            "name": row["name"],
            "control": row["control"],
            "variants": variants,
            "window_seconds": row["window_seconds"],
            "status": row["status"],
            "stop_reason": row["stop_reason"],
        }
    )


class PostgresExperimentStore:
    def __init__(self, postgres: Any) -> None:
        self._pg = postgres

    async def create(self, experiment: Experiment) -> None:
        d = experiment.to_dict()
        async with self._pg.acquire() as con:
            try:
                await con.execute(
                    "INSERT INTO rec_experiments (id, name, control, variants, window_seconds) "
                    "VALUES ($1, $2, $3, $4::jsonb, $5)",
                    experiment.id,
                    experiment.name,
                    experiment.control,
                    orjson.dumps(d["variants"]).decode(),
                    experiment.window_seconds,
                )
            except asyncpg.UniqueViolationError as err:
                raise ExperimentError(
                    f"Experiment {experiment.id!r} exists; pick another id", 409
                ) from err

    async def get(self, experiment_id: str) -> Experiment:
        async with self._pg.acquire() as con:
            row = await con.fetchrow("SELECT * FROM rec_experiments WHERE id = $1", experiment_id)
        if row is None:
            raise ExperimentError(f"No experiment {experiment_id!r}", 404)
        return _from_row(row)

    async def running(self) -> list[Experiment]:
        async with self._pg.acquire() as con:
            rows = await con.fetch(
                "SELECT * FROM rec_experiments WHERE status = 'running' ORDER BY created_at, id"
            )
        return [_from_row(r) for r in rows]

    async def stop(self, experiment_id: str, reason: str) -> Experiment:
        async with self._pg.acquire() as con:
            row = await con.fetchrow(
                "UPDATE rec_experiments SET status = 'stopped', stop_reason = $2, "
                "stopped_at = coalesce(stopped_at, now()) WHERE id = $1 RETURNING *",
                experiment_id,
                reason,
            )
        if row is None:
            raise ExperimentError(f"No experiment {experiment_id!r}", 404)
        return _from_row(row)

    async def log_exposure(
        self, experiment_id: str, variant: str, user_key: str, items: Sequence[str], ts: float
    ) -> None:
        async with self._pg.acquire() as con:
            await con.execute(
                "INSERT INTO rec_exposures (experiment_id, variant, user_key, items, ts) "
                "VALUES ($1, $2, $3, $4, $5)",
                experiment_id,
                variant,
                user_key,
                list(items),
                ts,
            )

    async def log_event(self, user_key: str, item_id: str, kind: str, ts: float) -> None:
        outcome = OUTCOME_OF_KIND.get(kind)
        if outcome is None:
            return
        async with self._pg.acquire() as con:
            # Keep only events of users exposed before them: the rest can never be attributed.
            await con.execute(
                "INSERT INTO rec_outcomes (user_key, item_id, kind, ts) "
                "SELECT $1, $2, $3, $4 WHERE EXISTS ("
                " SELECT 1 FROM rec_exposures WHERE user_key = $1 AND ts <= $4)",
                user_key,
                item_id,
                outcome,
                ts,
            )

    async def counts(self, experiment_id: str) -> dict[str, Counts]:
        e = await self.get(experiment_id)
        async with self._pg.acquire() as con:
            rows = await con.fetch(_COUNTS, experiment_id, e.window_seconds)
        out = {v.name: Counts() for v in e.variants}
        for r in rows:
            out[r["variant"]] = Counts(
                r["exposures"], r["users"], r["clicks"], r["carts"], r["orders"]
            )
        return out

    async def record_p_value(self, experiment_id: str, p_value: float) -> float:
        async with self._pg.acquire() as con:
            value = await con.fetchval(
                "UPDATE rec_experiments SET min_p_value = least(min_p_value, $2) "
                "WHERE id = $1 RETURNING min_p_value",
                experiment_id,
                p_value,
            )
        return 1.0 if value is None else float(value)
