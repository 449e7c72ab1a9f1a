"""The one exception tree of Headwater.

Every error we raise derives from :class:`HeadwaterError`. ``retriable`` tells a caller whether
trying again may succeed (a service was down) or whether the input itself is wrong (dead-letter
it, answer 4xx). Messages name the object, the identifier and the fix.
"""

from __future__ import annotations


class HeadwaterError(Exception):
    """Root of every Headwater error."""

    retriable: bool = False


class ConfigError(HeadwaterError):
    """A setting is missing, malformed, or a secret was put where secrets must not live."""


class ServiceUnavailable(HeadwaterError):
    """A backing service (Kafka, PostgreSQL, Milvus, the schema registry) did not answer."""

    retriable = True

    def __init__(self, service: str, detail: str) -> None:
        super().__init__(f"{service} is unavailable: {detail}")
        self.service = service
        self.detail = detail
