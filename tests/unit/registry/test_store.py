from __future__ import annotations

import logging

import pytest

from registry.compat import Level
from registry.store import Store, Version, config_record, schema_record, schema_tombstone


def test_keys_are_byte_stable_for_compaction() -> None:
    a = schema_record(Version("s", 1, 1, '"int"'))
    b = schema_record(Version("s", 1, 1, '"int"', deleted=True))
    assert a[0] == b[0]
    assert schema_tombstone("s", 1)[0] == a[0]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (b"not json", b"{}"),
        (b'{"keytype": "SCHEMA"}', b"{}"),
        (b'{"keytype": "CONFIG", "subject": null}', b'{"compatibilityLevel": "SIDEWAYS"}'),
        (b'{"keytype": "SOMETHING_NEW"}', b"{}"),
        (b"[1, 2]", b"{}"),
        (None, b"{}"),
    ],
)
def test_malformed_or_unknown_records_are_skipped(
    key: bytes | None, value: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    store = Store()
    store.apply(*schema_record(Version("s", 1, 1, '"int"')))
    with caplog.at_level(logging.WARNING, logger="registry.store"):
        store.apply(key, value)
    assert store.subjects() == ["s"]
    assert store.global_level() is Level.BACKWARD


def test_global_config_tombstone_returns_to_default() -> None:
    store = Store()
    store.apply(*config_record(None, Level.FULL))
    assert store.global_level() is Level.FULL
    store.apply(config_record(None, Level.FULL)[0], None)
    assert store.global_level() is Level.BACKWARD


def test_id_stays_while_any_version_refers_to_it() -> None:
    store = Store()
    store.apply(*schema_record(Version("a", 1, 5, '"int"')))
    store.apply(*schema_record(Version("b", 1, 5, '"int"')))
    store.apply(*schema_tombstone("a", 1))
    assert store.schema_text(5) == '"int"'
    assert store.id_for('"int"') == 5
    store.apply(*schema_tombstone("b", 1))
    assert store.schema_text(5) is None
    assert store.id_for('"int"') is None
    assert store.max_id() == 5
