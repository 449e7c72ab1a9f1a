from __future__ import annotations

from app.errors import HeadwaterError


class InvalidEvent(HeadwaterError):
    """An event breaks its contract or a semantic rule; it goes to the dead-letter topic.

    ``reason`` is a short stable label (a metric label and the DLQ error class suffix);
    the message says which field and why.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
