"""Closed sessions (``enriched.sessions``)."""

from datetime import datetime

from app.models.base import ContractRecord


class SessionSummary(ContractRecord):
    """``avro/SessionSummary.avsc``."""

    session_id: str
    user_key: str
    started_at: datetime
    ended_at: datetime
    duration_seconds: float
    events: int
    closed_reason: str
    device: str | None = None
    viewed: list[str] = []
    carted: list[str] = []
    bought: list[str] = []
    searches: int = 0
