from __future__ import annotations

import avro.schema
import pytest

from registry import compat
from registry.compat import Level
from registry.errors import RegistryError
from tests.unit.registry.schemas import (
    ADD_WITH_DEFAULT,
    ADD_WITHOUT_DEFAULT,
    B_DEFAULT,
    CHANGE_TYPE,
    V1,
    A,
    B,
    record,
)

# Old schema has fields a and b; the new one drops b (which has no default in the old one).
OLD_AB = record(A, B)
REMOVE_B = record(A)


def s(text: str) -> avro.schema.Schema:
    return avro.schema.parse(text)


def ok(level: Level, new: str, *old: str) -> bool:
    history = [(n, s(text)) for n, text in enumerate(old, start=1)]
    return not compat.check(level, s(new), history)


# (level, old, new, compatible?) for one previous version.
CASES = [
    (Level.BACKWARD, V1, ADD_WITH_DEFAULT, True),
    (Level.BACKWARD, V1, ADD_WITHOUT_DEFAULT, False),
    (Level.BACKWARD, OLD_AB, REMOVE_B, True),
    (Level.BACKWARD, V1, CHANGE_TYPE, False),
    (Level.FORWARD, V1, ADD_WITH_DEFAULT, True),
    (Level.FORWARD, V1, ADD_WITHOUT_DEFAULT, True),
    (Level.FORWARD, OLD_AB, REMOVE_B, False),
    (Level.FORWARD, V1, CHANGE_TYPE, False),
    (Level.FULL, V1, ADD_WITH_DEFAULT, True),
    (Level.FULL, V1, ADD_WITHOUT_DEFAULT, False),
    (Level.FULL, OLD_AB, REMOVE_B, False),
    (Level.FULL, V1, CHANGE_TYPE, False),
    (Level.NONE, V1, ADD_WITHOUT_DEFAULT, True),
    (Level.NONE, OLD_AB, REMOVE_B, True),
    (Level.NONE, V1, CHANGE_TYPE, True),
    # Transitive levels behave like their base level against a single previous version.
    (Level.BACKWARD_TRANSITIVE, V1, ADD_WITH_DEFAULT, True),
    (Level.BACKWARD_TRANSITIVE, V1, ADD_WITHOUT_DEFAULT, False),
    (Level.FORWARD_TRANSITIVE, V1, ADD_WITHOUT_DEFAULT, True),
    (Level.FORWARD_TRANSITIVE, OLD_AB, REMOVE_B, False),
    (Level.FULL_TRANSITIVE, V1, ADD_WITH_DEFAULT, True),
    (Level.FULL_TRANSITIVE, V1, CHANGE_TYPE, False),
]


@pytest.mark.parametrize(("level", "old", "new", "expected"), CASES)
def test_one_previous_version(level: Level, old: str, new: str, expected: bool) -> None:
    assert ok(level, new, old) is expected


def test_int_to_long_is_a_backward_promotion_only() -> None:
    long_a = record({"name": "a", "type": "long"})
    assert ok(Level.BACKWARD, long_a, V1)
    assert not ok(Level.FORWARD, long_a, V1)


# Histories where the newest version accepts the change but an older one does not: the plain
# level passes, the transitive one fails.
TRANSITIVE = [
    # v3 needs b without default: reads v2 (has b) but not v1 (no b).
    (Level.BACKWARD, [V1, ADD_WITH_DEFAULT], ADD_WITHOUT_DEFAULT),
    # v3 drops b: v2 (b has a default) reads it, v1 (b without default) does not.
    (Level.FORWARD, [record(A, B), record(A, B_DEFAULT)], record(A)),
    (Level.FULL, [record(A, B), record(A, B_DEFAULT)], record(A)),
]


@pytest.mark.parametrize(("base", "history", "new"), TRANSITIVE)
def test_transitive_checks_every_version(base: Level, history: list[str], new: str) -> None:
    transitive = Level(f"{base.value}_TRANSITIVE")
    assert ok(base, new, *history)
    assert not ok(transitive, new, *history)


def test_messages_name_the_version_direction_and_field() -> None:
    messages = compat.check(Level.FULL, s(ADD_WITHOUT_DEFAULT), [(7, s(V1))])
    assert len(messages) == 1
    assert "version 7" in messages[0]
    assert "backward" in messages[0]
    assert "reader_field_missing_default_value" in messages[0]


def test_no_previous_version_is_always_compatible() -> None:
    assert compat.check(Level.FULL_TRANSITIVE, s(V1), []) == []


@pytest.mark.parametrize("text", ["full", "FULL", " Full "])
def test_parse_level_ignores_case(text: str) -> None:
    assert compat.parse_level(text) is Level.FULL


@pytest.mark.parametrize("value", ["FULLEST", "", None, 3])
def test_parse_level_refuses_unknown_levels(value: object) -> None:
    with pytest.raises(RegistryError) as info:
        compat.parse_level(value)
    assert (info.value.status, info.value.error_code) == (422, 42203)


def test_there_are_seven_levels() -> None:
    assert len(Level) == 7
