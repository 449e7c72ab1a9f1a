"""Stage 3, enriched → action: every batch of enriched events feeds the engine's generators,
and each user in the batch gets a fresh recommendation, emitted to ``action.recommendations``
(keyed by user) and kept as the latest in the ``recommendations`` table. :func:`act_key` is
the per-key logic.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from faust import EventT

from app.models.dicts import EnrichedDict
from app.serving.experiments import LiveExperiments
from app.serving.interactions import to_interactions
from app.serving.runtime import Runtime, to_record
from app.stages.skeleton import Decoded, KeyBatch, Output, Stage
from app.wire.codecs import decoder
from app.wire.topics import ENRICHED, RECOMMENDATIONS

log = logging.getLogger(__name__)
STAGE = "act"

#: (experiment label, user key, items shown, generated at): one exposure to log.
Exposure = tuple[dict[str, str], str, list[str], float]


@dataclass
class ActBatch:
    #: user key → the user's strongest prescription sphere (personalization consent only).
    spheres: dict[str, float | None]
    exposures: list[Exposure] = field(default_factory=list)


def storable(record: dict[str, Any]) -> dict[str, Any]:
    """JSON-friendly copy for the table (datetime as ISO text)."""
    return {**record, "generated_at": record["generated_at"].isoformat()}


def act_key(
    engine: Runtime,
    choose: Callable[[str], tuple[dict[str, float] | None, dict[str, str] | None]],
    ctx: ActBatch,
    batch: KeyBatch[EnrichedDict],
) -> list[Output]:
    """One user's new list, from their profile and session and the experiment they are in;
    the list becomes the user's latest in ``batch.state["recommendations"]``."""
    user_key = batch.key.decode()
    last = batch.items[-1].record
    consent = bool(last.get("consent_personalization", True))
    weights, label = choose(user_key)
    rec = engine.recommend(
        user_key,
        profile=batch.state["profiles"] or None,
        session=batch.state["sessions"] or None,
        consent_personalization=consent,
        weights=weights,
        prescription=ctx.spheres.get(user_key),
        experiment=label,
    )
    record = to_record(rec, str(uuid.uuid4()), trigger_event_id=str(last["event_id"]))
    if label is not None:
        ctx.exposures.append((label, user_key, rec.item_ids, rec.generated_at))
    batch.state["recommendations"] = storable(record)
    return [Output(RECOMMENDATIONS, batch.key, record, batch.items[0].event)]


class ActStage(Stage[EnrichedDict, ActBatch, Output]):
    name = STAGE

    def __init__(
        self,
        engine: Runtime,
        experiments: LiveExperiments,
        profiles: Any,
        profiles_table: Any,
        sessions_table: Any,
        recommendations_table: Any,
    ) -> None:
        self.engine = engine
        self.experiments = experiments
        self.profiles = profiles
        self.reads = (profiles_table, sessions_table)
        self.replaces = (recommendations_table,)
        self._decode = decoder(ENRICHED)

    def source_label(self, event: EventT) -> str:
        return ENRICHED

    def decode(self, event: EventT) -> EnrichedDict:
        return self._decode(event.value)  # type: ignore[no-any-return]

    async def prepare(self, items: list[Decoded[EnrichedDict]]) -> ActBatch:
        records = [i.record for i in items]
        self.engine.engine.observe(to_interactions(records))
        if self.engine.vectors is not None:
            try:
                await self.engine.vectors.observe(records)
            except Exception as err:  # Milvus down or a refused vector: recommendations go on
                log.warning("session/user vectors not written: %s", err)
        try:
            # Outcomes first: an order in this batch answers the exposures of earlier batches.
            await self.experiments.log_events(records)
        except Exception as err:
            log.warning("experiment outcomes not logged: %s", err)
        # The last event of each user says whether they consent to personalization.
        consent: dict[str, bool] = {}
        for item in items:
            consent[item.record["user_key"]] = bool(
                item.record.get("consent_personalization", True)
            )
        consented = [user for user, ok in consent.items() if ok]
        spheres = await self.engine.prescriptions.spheres(consented, self.profiles)
        return ActBatch(spheres=spheres)

    def apply(self, ctx: ActBatch, batch: KeyBatch[EnrichedDict]) -> list[Output]:
        return act_key(self.engine, self.experiments.choose, ctx, batch)

    async def after_output(self, ctx: ActBatch) -> None:
        for label, user_key, items, ts in ctx.exposures:
            try:
                await self.experiments.log_exposure(label, user_key, items, ts)
            except Exception as err:
                log.warning("exposure not logged: %s", err)
