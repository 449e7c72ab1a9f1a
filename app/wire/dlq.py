"""The dead-letter topic: the original bytes, where they came from, and why they failed."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from faust import EventT

from app.metrics import STAGE_DEAD
from app.wire.codecs import encoder
from app.wire.topics import DLQ, dlq_topic

log = logging.getLogger(__name__)


async def dead_letter(stage: str, event: EventT, reason: str, err: BaseException) -> None:
    """Send ``event`` to ``dlq.events``; the error class carries the reason label."""
    message = event.message
    record = {
        "original": message.value if isinstance(message.value, bytes) else bytes(event.value),
        "source_topic": message.topic,
        "source_partition": message.partition,
        "source_offset": message.offset,
        "source_key": message.key,
        "error_class": f"{reason}:{type(err).__name__}",
        "error_message": str(err)[:2000],
        "stage": stage,
        "failed_at": datetime.now(UTC),
    }
    await dlq_topic.send(key=message.key, value=encoder(DLQ)(record))
    STAGE_DEAD.labels(stage, reason).inc()
    # The reason only: the message may quote personal data from the original bytes.
    log.debug(
        "dead-lettered %s:%s@%s (%s)", message.topic, message.partition, message.offset, reason
    )
