"""Errors of the Avro codecs and of contract registration."""

from __future__ import annotations

from collections.abc import Sequence

from app.errors import HeadwaterError


class ContractError(HeadwaterError):
    """A contract in ``avro/`` breaks compatibility with the version registered for its subject.

    Operator action: either make the change compatible (give a new field a default, keep a
    removed field's default, widen rather than change a type) or publish the new shape under a
    new topic and subject. ``fields`` names what broke, ``problems`` says why.
    """

    def __init__(
        self,
        subject: str,
        fields: Sequence[str],
        problems: Sequence[str],
        level: str | None = None,
        contract: str | None = None,
    ) -> None:
        self.subject = subject
        self.fields = list(fields)
        self.problems = list(problems)
        self.level = level
        where = f"avro/{contract}.avsc" if contract else "the contract"
        names = ", ".join(self.fields) or "(the registry gave no detail)"
        detail = "".join(f"\n  - {p}" for p in self.problems)
        super().__init__(
            f"Schema registry refused {where} for subject {subject!r}"
            f"{f' under {level} compatibility' if level else ''}: incompatible field(s) {names}. "
            "Make the change compatible (add defaults, do not change types) or use a new "
            f"topic and subject.{detail}"
        )


class RecordEncodeError(HeadwaterError):
    """A Record does not fit its contract (a value of the wrong type, money with >2 places)."""

    def __init__(self, subject: str, record: str, detail: str) -> None:
        super().__init__(
            f"Cannot encode {record} for subject {subject!r}: {detail}. Fix the value the "
            f"producer sets, or change avro/{record}.avsc and the Record together"
        )
        self.subject = subject
        self.record = record


class CodecConflict(HeadwaterError):
    """Two different Records were given the same subject."""
