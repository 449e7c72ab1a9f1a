"""An incompatible contract is refused: warm_up names the field, `schemas check` exits 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.models import AuthEvent, load_contract
from app.serialization import ContractError, avro_codec, warm_up
from tests.integration.app.serialization.conftest import register_raw
from tests.integration.harness import ROOT, unique


def _without(contract: dict[str, Any], name: str) -> dict[str, Any]:
    return {**contract, "fields": [f for f in contract["fields"] if f["name"] != name]}


async def test_warm_up_raises_contract_error_naming_the_field(fresh_codecs: str) -> None:
    subject = f"{unique('it-contract')}-value"
    # Registered earlier: AuthEvent without anonymous_id. The contract has it without a default,
    # so under the registry's BACKWARD default the new contract cannot read the old data.
    register_raw(fresh_codecs, subject, _without(load_contract(AuthEvent), "anonymous_id"))

    with pytest.raises(ContractError) as caught:
        await warm_up([avro_codec(subject, AuthEvent)])

    assert caught.value.subject == subject
    assert caught.value.fields == ["anonymous_id"]
    assert "anonymous_id" in str(caught.value)
    assert subject in str(caught.value)


async def test_warm_up_accepts_a_compatible_change(fresh_codecs: str) -> None:
    subject = f"{unique('it-contract')}-value"
    old_id = register_raw(fresh_codecs, subject, _without(load_contract(AuthEvent), "method"))
    ids = await warm_up([avro_codec(subject, AuthEvent)])
    assert ids[subject] != old_id


def _schemas(action: str, prefix: str, *topics: str) -> subprocess.CompletedProcess[str]:
    faust = Path(sys.executable).with_name("faust")
    args = [str(faust), "-A", "app", "schemas", action]
    for topic in topics:
        args += ["--topic", topic]
    return subprocess.run(
        args,
        cwd=ROOT,
        env={**os.environ, "TOPIC_PREFIX": prefix},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_schemas_check_exits_non_zero_on_an_incompatible_change(fresh_codecs: str) -> None:
    prefix = f"{unique('it-cli')}."
    register_raw(
        fresh_codecs, f"{prefix}raw.auth-value", _without(load_contract(AuthEvent), "anonymous_id")
    )

    broken = _schemas("check", prefix, "raw.auth", "dlq.events")
    out = broken.stdout + broken.stderr
    assert broken.returncode == 1, out
    assert f"{prefix}raw.auth-value [avro/AuthEvent.avsc]: INCOMPATIBLE" in out
    assert "+ anonymous_id: string (no default)" in out
    assert f"{prefix}dlq.events-value [avro/DeadLetter.avsc]: new" in out

    registered = _schemas("register", prefix, "dlq.events")
    assert registered.returncode == 0, registered.stdout + registered.stderr
    assert f"{prefix}dlq.events-value: registered, id" in registered.stdout

    fine = _schemas("check", prefix, "dlq.events")
    assert fine.returncode == 0, fine.stdout + fine.stderr
    assert "OK (same as version 1)" in fine.stdout

    refused = _schemas("register", prefix, "raw.auth")
    assert refused.returncode == 1
    assert "anonymous_id" in refused.stderr
