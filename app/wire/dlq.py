"""The dead-letter record: the original bytes, where they came from, and why they failed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from faust import EventT


def dead_letter_record(
    stage: str, event: EventT, reason: str, err: BaseException
) -> tuple[bytes | None, dict[str, Any]]:
    """(key, ``dlq.events`` record) for ``event``; the error class carries the reason label.

    The message may quote personal data from the original bytes: it is kept only in the
    dead-letter topic (short retention), never logged.
    """
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
    return message.key, record
