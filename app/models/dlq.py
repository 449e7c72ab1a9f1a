"""Messages a stage could not process (``dlq.events``)."""

from datetime import datetime

from app.models.base import ContractRecord


class DeadLetter(ContractRecord):
    """``avro/DeadLetter.avsc``: the original bytes plus where they came from and why they failed.

    ``original`` may hold personal data, which is why ``dlq.events`` has a short retention.
    """

    original: bytes
    source_topic: str
    source_partition: int
    source_offset: int
    error_class: str
    error_message: str
    stage: str
    failed_at: datetime
    source_key: bytes | None = None
