"""The four event families, in one table: raw topic, cleaned topic, contract, event types.

Everything that asks "which family is this?" reads :data:`FAMILIES`: the topic declarations,
``POST /v1/events`` (which routes an event by its type), the cleaning stage's checks and the
enrich stage (which decodes each cleaned topic with its own contract). The event types are the
symbols of each raw contract's ``event_type`` enum, so the Avro files stay the one source.
"""

from __future__ import annotations

import enum
import typing
from dataclasses import dataclass, field

import faust

from app.models import AuthEvent, ClickstreamEvent, ConversionEvent, SessionEvent


@dataclass(frozen=True)
class Family:
    name: str
    #: Logical topic names (without ``TOPIC_PREFIX``).
    raw_topic: str
    cleaned_topic: str
    #: The raw contract (a Faust Record mirrored by ``avro/``).
    record: type[faust.Record]
    #: The symbols of the contract's ``event_type`` enum (read once: checked per event).
    event_types: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        kind = typing.get_type_hints(self.record)["event_type"]
        if not (isinstance(kind, type) and issubclass(kind, enum.Enum)):
            raise TypeError(f"{self.record.__name__}.event_type must be an enum of event types")
        object.__setattr__(self, "event_types", frozenset(str(m.value) for m in kind))


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family("clickstream", "raw.clickstream", "cleaned.clickstream", ClickstreamEvent),
        Family("session", "raw.sessions", "cleaned.sessions", SessionEvent),
        Family("conversion", "raw.conversions", "cleaned.conversions", ConversionEvent),
        Family("auth", "raw.auth", "cleaned.auth", AuthEvent),
    )
}

#: Event type → family, for events that arrive without one (JSON over HTTP).
FAMILY_OF_TYPE: dict[str, str] = {
    kind: f.name for f in FAMILIES.values() for kind in sorted(f.event_types)
}
#: Cleaned topic (logical name) → family, for a stage that reads all four.
FAMILY_OF_CLEANED: dict[str, str] = {f.cleaned_topic: f.name for f in FAMILIES.values()}
