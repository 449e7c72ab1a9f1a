from __future__ import annotations

import asyncpg

from app.recommend.experiments import (
    Experiment,
    Experiments,
    MemoryExperimentStore,
    Variant,
    assign,
    report,
)
from app.recommend.experiments_pg import PostgresExperimentStore
from tests.unit.app.recommend.test_experiments import hand_counted


async def test_postgres_report_matches_the_hand_count(pool: asyncpg.Pool) -> None:
    pg = PostgresExperimentStore(pool)
    await hand_counted(pg)  # type: ignore[arg-type]
    mem = MemoryExperimentStore()
    await hand_counted(mem)
    got, want = await report(pg, "e1"), await report(mem, "e1")
    assert got["variants"] == want["variants"]
    assert (got["variants"]["A"]["exposures"], got["variants"]["B"]["orders"]) == (3, 1)
    async with pool.acquire() as con:
        # Events of users never exposed are not kept: they could never be attributed.
        await pg.log_event("stranger", "a", "view", 1.0)
        assert (
            await con.fetchval("SELECT count(*) FROM rec_outcomes WHERE user_key = 'stranger'") == 0
        )


async def test_split_stop_and_rollback_in_postgres(pool: asyncpg.Pool) -> None:
    pg = PostgresExperimentStore(pool)
    e = Experiment(
        id="split", control="A", variants=(Variant("A", 0.5), Variant("B", 0.5, ruleset="x"))
    )
    await pg.create(e)
    ex = Experiments(pg)
    await ex.refresh()
    for n in range(2000):
        found = ex.assignment(f"u{n}", "split")
        assert found is not None
        exp, variant = found
        await pg.log_exposure(exp.id, variant.name, f"u{n}", ["a"], float(n))
    counts = await pg.counts("split")
    assert abs(counts["A"].exposures / 2000 - 0.5) < 0.04
    assert counts["A"].exposures + counts["B"].exposures == 2000
    stopped = await ex.stop("split", "done")
    await ex.refresh()
    assert ex.assignment("u1", "split") is None
    assert (await pg.get("split")).status == "stopped"
    assert assign(stopped, "u1").name == "A"
