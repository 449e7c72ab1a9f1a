"""Checks on profile values before they are encrypted: an error names the field and the fix."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.profiles.errors import ProfileError
from app.profiles.fields import STORED

LENS_TYPES = ("single_vision", "bifocal", "progressive", "toric", "multifocal", "plano")
PRICE_BANDS = ("lt25", "25-50", "50-100", "100-200", "gt200")
CHANNELS = ("email", "phone", "sms", "none")
SERVICE_KINDS = ("eye_exam", "fitting", "repair", "adjustment", "return", "consultation")


class InvalidField(ProfileError):
    def __init__(self, name: str, problem: str, fix: str) -> None:
        super().__init__(f"Field {name!r} {problem}; {fix}")
        self.field = name


def _text(name: str, value: Any, max_len: int = 200) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > max_len:
        raise InvalidField(name, "must be a non-empty string", f"send at most {max_len} characters")
    return value.strip()


def _iso_date(name: str, value: Any) -> str:
    try:
        return date.fromisoformat(_text(name, value, 10)).isoformat()
    except ValueError as err:
        raise InvalidField(name, f"is {value!r}", "send an ISO date YYYY-MM-DD") from err


def _number(name: str, value: Any, low: float, high: float, step: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidField(name, f"is {value!r}", "send a number")
    if not low <= value <= high or round(value / step, 6) % 1:
        raise InvalidField(name, f"is {value}", f"send a multiple of {step} from {low} to {high}")
    return float(value)


def _choice(name: str, value: Any, options: tuple[str, ...]) -> str:
    if value not in options:
        raise InvalidField(name, f"is {value!r}", f"send one of {', '.join(options)}")
    return str(value)


def _strings(name: str, value: Any) -> list[str]:
    if not isinstance(value, list) or len(value) > 50:
        raise InvalidField(name, "must be a list of strings", "send at most 50")
    return [_text(name, v, 100) for v in value]


def check_value(name: str, value: Any) -> Any:
    """The value to store for field ``name`` (None clears it)."""
    if name not in STORED:
        raise InvalidField(name, "is not a profile field", f"use one of {', '.join(STORED)}")
    if value is None:
        return None
    if name in ("birth_date", "expires_on"):
        return _iso_date(name, value)
    if name.endswith("_sphere"):
        return _number(name, value, -30, 30, 0.25)
    if name.endswith("_cylinder"):
        return _number(name, value, -10, 10, 0.25)
    if name.endswith("_axis"):
        return int(_number(name, value, 0, 180, 1))
    if name == "lens_type":
        return _choice(name, value, LENS_TYPES)
    if name == "price_band":
        return _choice(name, value, PRICE_BANDS)
    if name == "contact_channel":
        return _choice(name, value, CHANNELS)
    if name in ("preferred_brands", "frame_styles"):
        return _strings(name, value)
    return _text(name, value)
