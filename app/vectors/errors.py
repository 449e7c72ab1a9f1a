"""Errors of the vector domain, all under :class:`app.errors.HeadwaterError`."""

from __future__ import annotations

from app.errors import HeadwaterError


class VectorError(HeadwaterError):
    """Root of the vector-domain errors."""


class VectorValidationError(VectorError):
    """A vector failed validation before a write; it was counted and not written."""

    def __init__(self, entity: str, entity_id: str, problem: str, *, rejected: int = 1) -> None:
        more = f" ({rejected - 1} more in the same batch, none of the batch was written)"
        super().__init__(
            f"{entity} vector {entity_id!r} refused: {problem}"
            f"{more if rejected > 1 else ''}; fix the encoder output or drop the record"
        )
        self.entity = entity
        self.entity_id = entity_id
        self.problem = problem
        self.rejected = rejected


class VersionError(VectorError):
    """A promote or rollback cannot be done (unknown version, nothing to roll back to)."""


class BackfillError(VectorError):
    """A backfill source or checkpoint is unusable."""
