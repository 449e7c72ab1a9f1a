"""Registry errors that carry Confluent's HTTP status and ``error_code``.

Clients of a Confluent-compatible registry branch on ``error_code`` (40401, 42201, ...), not on
the message, so each error here names both; the HTTP layer turns any of them into the body
``{"error_code": ..., "message": ...}`` unchanged.
"""

from __future__ import annotations

from app.errors import HeadwaterError

MAX_VERSION = 2**31 - 1


class RegistryError(HeadwaterError):
    """A request the registry refuses; ``status`` and ``error_code`` follow Confluent."""

    def __init__(self, status: int, error_code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message

    def body(self) -> dict[str, object]:
        return {"error_code": self.error_code, "message": self.message}


class RegistryUnavailable(RegistryError):
    """The ``_schemas`` topic could not be written or read back in time (Kafka is down)."""

    retriable = True


def subject_not_found(subject: str) -> RegistryError:
    return RegistryError(404, 40401, f"Subject '{subject}' not found.")


def version_not_found(subject: str, version: int | str) -> RegistryError:
    return RegistryError(404, 40402, f"Version {version} not found under subject '{subject}'.")


def schema_not_found(schema_id: int | str | None = None) -> RegistryError:
    if schema_id is None:
        return RegistryError(404, 40403, "Schema not found")
    return RegistryError(404, 40403, f"Schema {schema_id} not found")


def subject_soft_deleted(subject: str) -> RegistryError:
    return RegistryError(
        404,
        40404,
        f"Subject '{subject}' was soft deleted. Set permanent=true to delete permanently",
    )


def subject_not_soft_deleted(subject: str) -> RegistryError:
    return RegistryError(
        404,
        40405,
        f"Subject '{subject}' was not deleted first before being permanently deleted; "
        "delete it without permanent=true first",
    )


def version_soft_deleted(subject: str, version: int) -> RegistryError:
    return RegistryError(
        404,
        40406,
        f"Subject '{subject}' Version {version} was soft deleted. "
        "Set permanent=true to delete permanently",
    )


def version_not_soft_deleted(subject: str, version: int) -> RegistryError:
    return RegistryError(
        404,
        40407,
        f"Subject '{subject}' Version {version} was not deleted first before being "
        "permanently deleted; delete it without permanent=true first",
    )


def subject_level_not_configured(subject: str) -> RegistryError:
    return RegistryError(
        404,
        40408,
        f"Subject '{subject}' does not have subject-level compatibility configured; "
        "add ?defaultToGlobal=true to read the global level",
    )


def incompatible(subject: str, messages: list[str]) -> RegistryError:
    detail = "; ".join(messages)
    return RegistryError(
        409,
        409,
        f'Schema being registered is incompatible with an earlier schema for subject "{subject}"'
        f": {detail}",
    )


def invalid_schema(detail: str) -> RegistryError:
    return RegistryError(422, 42201, f"Invalid schema: {detail}")


def invalid_version(version: str) -> RegistryError:
    return RegistryError(
        422,
        42202,
        f"The specified version '{version}' is not a valid version id. Allowed values are "
        f'between [1, {MAX_VERSION}] and the string "latest"',
    )


def invalid_level(level: object) -> RegistryError:
    return RegistryError(
        422,
        42203,
        f"Invalid compatibility level {level!r}. Valid values are NONE, BACKWARD, "
        "BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL and FULL_TRANSITIVE",
    )


def bad_request(detail: str) -> RegistryError:
    return RegistryError(400, 400, detail)
