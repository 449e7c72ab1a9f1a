"""Errors of the recommendation engine, under :class:`app.errors.HeadwaterError`."""

from __future__ import annotations

from app.errors import HeadwaterError


class RecommendError(HeadwaterError):
    """Root of the recommendation engine's errors."""


class ConfigurationError(RecommendError):
    """A generator, weight, rule set or experiment definition is invalid."""


class ModelVersionError(RecommendError):
    """A learned model version is unknown, or there is nothing to roll back to."""

    http_status = 409


class ExperimentError(RecommendError):
    """An experiment is unknown, malformed or in the wrong state."""

    def __init__(self, message: str, http_status: int = 400) -> None:
        super().__init__(message)
        self.http_status = http_status
