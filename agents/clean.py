"""Stage 1, raw → cleaned: one agent per event family (logic in :mod:`app.stages.clean`)."""

from __future__ import annotations

from faust import StreamT

from app.core import app
from app.stages.clean import CleanStage
from app.stages.skeleton import run_stage
from app.wire.families import FAMILIES
from tables.clean_state import clean_state
from tables.consent import consent_of


def _declare(family: str) -> None:
    components = app.components
    stage = CleanStage(
        family,
        app.settings,
        tools=components.cleaning,
        pseudonymize=components.pseudonymize,
        consent_of=consent_of,
        state_table=clean_state,
    )

    async def clean(stream: StreamT) -> None:
        await run_stage(app, stage, stream)

    clean.__name__ = f"clean_{family}"
    app.agent(app.pipeline.raw[family], name=f"clean-{family}")(clean)


for _family in FAMILIES:
    _declare(_family)
