"""The stage frame: dead letters with reasons, state read and written per key on memory://
tables, every output acknowledged before any state is written."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.cleaning.errors import InvalidEvent
from app.stages import skeleton
from app.stages.skeleton import Decoded, KeyBatch, Output, Stage, run_batch
from app.wire.topics import DLQ
from tests.unit.app.stages.fakes import event, memory_app


class Journal:
    """What the fakes were asked to do, in order."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, Any]] = []

    def sent(self, topic: str | None = None) -> list[tuple[str, bytes | None, bytes]]:
        return [s[1] for s in self.steps if s[0] == "add" and topic in (None, s[1][0])]


@pytest.fixture
def journal(monkeypatch: pytest.MonkeyPatch) -> Journal:
    j = Journal()

    class FakeSend:
        def __init__(self, app: Any) -> None: ...

        async def add(self, topic: Any, key: bytes | None, value: bytes, **kw: Any) -> None:
            j.steps.append(("add", (topic, key, value)))

        async def finish(self) -> None:
            j.steps.append(("acked", None))

    class FakeWrites:
        def __init__(self, app: Any) -> None: ...

        async def set(self, table: Any, event: Any, key: bytes, value: Any) -> None:
            table.data[key] = value
            j.steps.append(("state", (table.name, key)))

        async def ship(self) -> None:
            j.steps.append(("shipped", None))

    def encoder(topic: str) -> Any:
        def encode(record: dict[str, Any]) -> bytes:
            if record.get("refuse"):
                raise ValueError("the contract refuses this record")
            return json.dumps(record, default=str).encode()

        return encode

    monkeypatch.setattr(skeleton, "BatchSend", FakeSend)
    monkeypatch.setattr(skeleton, "TableWrites", FakeWrites)
    monkeypatch.setattr(skeleton, "encoder", encoder)
    return j


class Counting(Stage[dict[str, Any], None, Output]):
    """Counts each key's events in its state and echoes every event downstream."""

    name = "count"

    def __init__(self, table: Any) -> None:
        self.writes = (table,)

    def decode(self, event: Any) -> dict[str, Any]:
        record: dict[str, Any] = json.loads(event.value)
        if "bad" in record:
            raise InvalidEvent("bad_field", "bad is not allowed")
        return record

    async def prepare(self, items: list[Decoded]) -> None:
        return None

    def apply(self, ctx: None, batch: KeyBatch) -> list[Output]:
        state = batch.state["counts"]
        state["n"] = state.get("n", 0) + len(batch.items)
        return [Output("out", batch.key, i.record, i.event) for i in batch.items]


def _app() -> Any:
    app = memory_app()
    app.pipeline = {"out": "out-topic", DLQ: "dlq-topic"}  # type: ignore[attr-defined]
    return app


async def test_each_key_reads_its_state_once_and_writes_it_after_the_acknowledgement(
    journal: Journal,
) -> None:
    app = _app()
    table = app.Table("counts", default=dict, key_type=bytes)
    table.data[b"a"] = {"n": 10}
    events = [
        event("in", b"a", b'{"x": 1}'),
        event("in", b"b", b'{"x": 2}'),
        event("in", b"a", b'{"x": 3}'),
    ]
    await run_batch(app, Counting(table), events)
    assert table.data[b"a"] == {"n": 12}
    assert table.data[b"b"] == {"n": 1}
    kinds = [s[0] for s in journal.steps]
    assert kinds == ["add", "add", "add", "acked", "state", "state", "shipped"]
    assert [json.loads(v)["x"] for _, _, v in journal.sent("out-topic")] == [1, 3, 2]


async def test_bad_input_is_dead_lettered_with_its_reason_and_the_rest_goes_on(
    journal: Journal,
) -> None:
    app = _app()
    table = app.Table("counts", default=dict, key_type=bytes)
    events = [
        event("in", b"a", b"not json"),
        event("in", b"a", b'{"bad": 1}'),
        event("in", b"a", b'{"refuse": true}'),
        event("in", b"a", b'{"x": 1}'),
    ]
    await run_batch(app, Counting(table), events)
    reasons = [json.loads(v)["error_class"].split(":")[0] for _, _, v in journal.sent("dlq-topic")]
    assert reasons == ["undecodable", "bad_field", "contract_violation"]
    originals = [json.loads(v)["original"] for _, _, v in journal.sent("dlq-topic")]
    assert originals[0] == str(b"not json")
    assert [json.loads(v) for _, _, v in journal.sent("out-topic")] == [{"x": 1}]
    # The refused record's event was still applied: refusal is about the output only.
    assert table.data[b"a"] == {"n": 2}
    assert journal.steps.index(("acked", None)) < journal.steps.index(("state", ("counts", b"a")))


async def test_an_unkeyed_message_is_grouped_by_its_user_key(journal: Journal) -> None:
    app = _app()
    table = app.Table("counts", default=dict, key_type=bytes)
    await run_batch(app, Counting(table), [event("in", None, b'{"user_key": "u9"}')])
    assert table.data[b"u9"] == {"n": 1}
