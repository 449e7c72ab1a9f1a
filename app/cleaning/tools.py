"""The blocking helpers of the cleaning stage (Presidio, the anomaly model), built once per
worker off the event loop by :class:`app.components.Components`."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from app.cleaning.bots import AnomalyModel
from app.privacy.pii import PiiMasker
from app.process import heap
from app.process.offload import Offload
from app.settings import Settings


@dataclass
class CleaningTools:
    masker: PiiMasker
    model: AnomalyModel
    executor: ThreadPoolExecutor
    offload: Offload

    async def anomaly(self, features: list[list[float]]) -> list[float]:
        if not features:
            return []
        rows = np.asarray(features, dtype=float)
        scores = await self.offload.run(lambda: self.model.score(rows), len(features))
        return [float(s) for s in scores]


async def build_cleaning_tools(settings: Settings) -> CleaningTools:
    """Fit the anomaly model on its thread and warm Presidio up (seconds: do it at start)."""
    loop = asyncio.get_running_loop()
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bots")
    model = await loop.run_in_executor(executor, AnomalyModel)
    masker = PiiMasker(settings.pii_nlp_model, settings.pii_entities.split(","))
    await masker.warm_up()
    tools = CleaningTools(masker=masker, model=model, executor=executor, offload=Offload(executor))
    heap.settle("cleaning tools")
    return tools
