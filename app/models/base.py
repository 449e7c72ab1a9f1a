"""The base of every Record that mirrors an Avro contract in ``avro/``.

Conventions, checked against the contracts by ``tests/unit/app/models/test_contracts.py``:

- Enums are :class:`enum.StrEnum` fields. Each Record lists its enums in ``coercions`` so Faust
  turns the symbol strings that fastavro decodes back into enum members; a member is a ``str``
  and compares equal to its symbol. Members are UPPER_CASE because ``return`` is a keyword.
- Money is :class:`decimal.Decimal` (Avro ``decimal``, precision 12, scale 2: at most 2 places).
- Times are timezone-aware UTC :class:`datetime.datetime` (Avro ``timestamp-millis``: sub-
  millisecond digits are dropped, and a naive datetime is read as UTC).
- Event ids are ``str`` holding a UUID (Avro ``uuid``); the codec turns decoded UUIDs into str.
- A nullable Avro field is ``T | None = None``; Record fields with defaults follow the rest
  (Faust, like dataclasses, refuses a required field after a defaulted one).
"""

from __future__ import annotations

from typing import Any

import faust


class ContractRecord(faust.Record, abstract=True, isodates=True, decimals=True):
    """A Faust Record with a matching ``avro/<Name>.avsc`` (see ``app.models.CONTRACTS``)."""

    def __post_init__(self) -> None:
        # Faust shares a default list/dict between instances (and subclasses): appending to one
        # record's default would change every record's. Give each record its own empty copy.
        for name, default in _mutable_defaults(type(self)):
            if self.__dict__.get(name) is default:
                self.__dict__[name] = [] if isinstance(default, list) else {}


_MUTABLE_DEFAULTS: dict[type, tuple[tuple[str, Any], ...]] = {}


def _mutable_defaults(cls: type[faust.Record]) -> tuple[tuple[str, Any], ...]:
    # Computed once per class: __post_init__ runs for every decoded message.
    found = _MUTABLE_DEFAULTS.get(cls)
    if found is None:
        defaults = cls._options.defaults.items()
        found = tuple((n, d) for n, d in defaults if isinstance(d, list | dict))
        _MUTABLE_DEFAULTS[cls] = found
    return found
