"""Validation of events that arrive as JSON (``POST /v1/events``) before they reach Kafka.

JSON has no timestamps or decimals: ``occurred_at`` is ISO-8601 or epoch milliseconds, money is a
string or a number. After coercion an event must satisfy its Avro contract (fastavro says which
field is wrong) and the semantic rules of the cleaning stage.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from fastavro import parse_schema
from fastavro.validation import ValidationError, validate

from app.cleaning.errors import InvalidEvent
from app.cleaning.validate import check_event
from app.models import load_contract
from app.settings import Settings
from app.wire.families import FAMILIES, FAMILY_OF_TYPE

_MONEY = ("price", "total")


@cache
def _schema(family: str) -> Any:
    return parse_schema(load_contract(FAMILIES[family].record))


def _timestamp(value: Any) -> datetime:
    if isinstance(value, bool):
        raise InvalidEvent("bad_time", "occurred_at must be ISO-8601 text or epoch milliseconds")
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidEvent("bad_time", f"occurred_at {value[:40]!r} is not ISO-8601") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise InvalidEvent("bad_time", "occurred_at is required (ISO-8601 or epoch milliseconds)")


def _decimal(value: Any, field: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidEvent("bad_amount", f"{field} must be a number")
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise InvalidEvent("bad_amount", f"{field} {str(value)[:20]!r} is not a number") from None


def coerce(event: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """(family, event with Avro-ready types) or InvalidEvent."""
    if not isinstance(event, Mapping):
        raise InvalidEvent("malformed", "each event must be a JSON object")
    kind = event.get("event_type")
    family = event.get("family") or FAMILY_OF_TYPE.get(str(kind))
    if family not in FAMILIES:
        raise InvalidEvent("unknown_event_type", f"event_type {kind!r} is not a known event")
    out = {k: v for k, v in event.items() if k != "family"}
    out.setdefault("event_id", str(uuid.uuid4()))
    out["occurred_at"] = _timestamp(event.get("occurred_at"))
    for field in _MONEY:
        if field in out:
            out[field] = _decimal(out[field], field)
    if isinstance(out.get("items"), list):
        out["items"] = [
            {**item, "unit_price": _decimal(item.get("unit_price"), f"items[{i}].unit_price")}
            if isinstance(item, Mapping)
            else item
            for i, item in enumerate(out["items"])
        ]
    return family, out


def validate_event(event: Mapping[str, Any], settings: Settings, now: datetime) -> tuple[str, dict]:
    family, out = coerce(event)
    schema = _schema(family)
    fields = {f["name"] for f in schema["fields"]}
    unknown = sorted(set(out) - fields)
    if unknown:
        raise InvalidEvent("unknown_field", f"unknown field(s) for {family}: {', '.join(unknown)}")
    try:
        validate(out, schema, raise_errors=True)
    except ValidationError as err:
        raise InvalidEvent("contract_violation", f"{family} contract: {err}") from None
    check_event(
        family,
        out,
        now=now,
        max_age=timedelta(hours=settings.max_event_age_hours),
        max_skew=timedelta(seconds=settings.max_clock_skew_seconds),
    )
    return family, out


def message_key(event: Mapping[str, Any]) -> bytes:
    """Raw topics are keyed by user, or by anonymous id before login."""
    return str(event.get("user_id") or event.get("anonymous_id") or "").encode()
