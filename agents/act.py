"""Stage 3, enriched → action (logic in :mod:`app.stages.act`), and the engine's timers."""

from __future__ import annotations

import logging

from faust import StreamT

from app.core import app
from app.stages.act import ActStage
from app.stages.skeleton import run_stage
from app.wire.topics import ENRICHED
from tables.profiles import profiles_table
from tables.recommendations import recommendations_table
from tables.sessions import sessions_table

log = logging.getLogger(__name__)
RETRAIN_SECONDS = 300.0

components = app.components
stage = ActStage(
    components.engine,
    components.experiments,
    components.profiles,
    profiles_table,
    sessions_table,
    recommendations_table,
)


@app.agent(app.pipeline[ENRICHED], name="act")
async def act(stream: StreamT) -> None:
    await components.engine.ready.wait()
    await run_stage(app, stage, stream)


@app.timer(interval=2.0, name="refresh-experiments")
async def refresh_experiments() -> None:
    await components.experiments.refresh()


@app.timer(interval=RETRAIN_SECONDS, name="retrain-learned-model")
async def retrain() -> None:
    """Retrain the learned model from the history this worker has seen (off the loop)."""
    engine = components.engine
    if len(engine.learned.snapshot()) < 50:
        return
    model = await engine.learned.retrain()
    log.info("learned model %s promoted", model.version)
