"""``schemas check``'s logic against a fake registry (the command runs in the integration tests)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from app.cli.schemas import check_contracts, register_contracts
from app.models import AuthEvent, load_contract
from app.settings import get_settings
from app.wire.contracts import TOPIC_CONTRACTS, subjects, value_codec
from tests.unit.app.serialization.fake_registry import FakeRegistry


@pytest.fixture
def prefix(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    value = f"t{uuid.uuid4().hex[:8]}."
    monkeypatch.setenv("TOPIC_PREFIX", value)
    get_settings.cache_clear()
    yield value
    get_settings.cache_clear()


def test_subjects_follow_the_topic_name_strategy_with_the_prefix(prefix: str) -> None:
    found = subjects()
    assert found[f"{prefix}raw.auth-value"] is AuthEvent
    assert len(found) == len(TOPIC_CONTRACTS) == 16
    assert value_codec("raw.auth") == f"avro:{prefix}raw.auth-value"


def test_check_reports_new_then_unchanged_then_incompatible(
    registry: FakeRegistry, prefix: str
) -> None:
    only = [f"{prefix}raw.auth"]
    [first] = check_contracts(registry, only)
    assert first.status == "new"
    assert first.ok

    register_contracts(only)
    [again] = check_contracts(registry, only)
    assert again.status == "unchanged"
    assert "OK" in again.render()

    subject = f"{prefix}raw.auth-value"
    newer = load_contract(AuthEvent)
    newer["fields"] = [f for f in newer["fields"] if f["name"] != "anonymous_id"]
    registry.levels[subject] = "NONE"
    registry.register(subject, newer)  # someone registered a version without anonymous_id
    registry.levels[subject] = "BACKWARD"

    [broken] = check_contracts(registry, only)
    assert not broken.ok
    text = broken.render()
    assert "INCOMPATIBLE with version 2 under BACKWARD" in text
    assert "+ anonymous_id: string (no default)" in text
    assert "anonymous_id: field only in the reader and without a default" in text


def test_check_registers_nothing(registry: FakeRegistry, prefix: str) -> None:
    check_contracts(registry)
    assert not any(c.startswith("register") for c in registry.calls)
    assert registry.subjects == {}
