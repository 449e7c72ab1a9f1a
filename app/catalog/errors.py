"""Catalog errors: each names the object, the field and the fix."""

from __future__ import annotations

from app.errors import HeadwaterError


class CatalogError(HeadwaterError):
    """Root of the catalog errors."""


class CatalogValidationError(CatalogError):
    """A field of a catalog change is invalid; the HTTP views answer 400."""

    def __init__(self, field: str, problem: str, fix: str) -> None:
        super().__init__(f"{field}: {problem}; {fix}")
        self.field = field
        self.problem = problem
        self.fix = fix


class CatalogNotFound(CatalogError):
    """The product, SKU or location does not exist; the HTTP views answer 404."""

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} {key!r} does not exist; check the id or create it first")
        self.kind = kind
        self.key = key


class CatalogConflict(CatalogError):
    """Another writer changed the row first (optimistic version check); re-read and retry."""

    retriable = True

    def __init__(self, kind: str, key: str, expected: int, actual: int) -> None:
        super().__init__(
            f"{kind} {key!r} is at version {actual}, not {expected}: another change won; "
            "read it again and retry with the current version"
        )
        self.kind = kind
        self.key = key
        self.expected = expected
        self.actual = actual
