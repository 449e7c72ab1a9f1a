"""A/B tests in the action stage: running experiments reloaded from PostgreSQL, each user
assigned deterministically, the variant's ensemble weights used, the exposure logged with
every recommendation, and clicks, add-to-carts and orders logged for attribution."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from app.recommend.experiments import Experiment, assign
from app.recommend.experiments_pg import PostgresExperimentStore
from app.serving.interactions import to_interactions

log = logging.getLogger(__name__)


class LiveExperiments:
    def __init__(self, postgres: Any) -> None:
        self.store = PostgresExperimentStore(postgres)
        self.running: list[Experiment] = []

    async def refresh(self) -> None:
        try:
            self.running = await self.store.running()
        except Exception as err:  # keep the last known set while PostgreSQL is away
            log.warning("experiments not refreshed: %s", err)

    def choose(self, user_key: str) -> tuple[dict[str, float] | None, dict[str, str] | None]:
        """(ensemble weights, experiment label) for the user; the first running one decides."""
        if not self.running:
            return None, None
        experiment = self.running[0]
        variant = assign(experiment, user_key)
        label = {"experiment_id": experiment.id, "variant": variant.name}
        return variant.weights, label

    async def log_exposure(self, label: Mapping[str, str], user_key: str, items: list[str],
                           ts: float) -> None:  # fmt: skip
        await self.store.log_exposure(label["experiment_id"], label["variant"], user_key, items, ts)

    async def log_events(self, events: Iterable[Mapping[str, Any]]) -> None:
        if not self.running:
            return
        for i in to_interactions(events):
            await self.store.log_event(i.user_key, i.item_id, i.kind, i.ts)
