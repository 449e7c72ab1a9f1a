"""The frame every stage batch runs in, written once.

Per batch:

1. **decode** each event with its topic's contract; one that fails goes to ``dlq.events`` with
   its original bytes and the reason (:class:`app.cleaning.errors.InvalidEvent` names one;
   any other decoder error is ``undecodable``);
2. **prepare**: the stage's batch-level lookups, one round each (PII masking, products,
   prescriptions), before any per-key work;
3. **per key** (events grouped by message key, in arrival order): the key's state is read once
   from each of the stage's tables, in the store of that key's partition
   (:func:`app.streaming.current.as_current_event`), and the stage's plain function turns the
   key's records and state into outputs, updating the state in place;
4. **complete**: batch-level work over every key's results (the bot model scores all
   survivors in one call);
5. **output first**: every output and dead letter goes through one
   :class:`app.streaming.batch_send.BatchSend` and the batch waits for the broker's
   acknowledgement of all of them; an output the contract refuses is dead-lettered;
6. **state second**: each key's state goes back to its tables, the changelog records batched
   (:class:`app.streaming.table_writes.TableWrites`).

Output before state: a crash in between replays the batch and re-sends (at-least-once;
duplicates carry the same event id and the stages skip ids they have applied), while the other
order could record state whose output never reached the broker. Every event is counted once
in, and once out, dead-lettered or dropped (:mod:`app.metrics`).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from faust import EventT, StreamT
from faust.types import AppT

from app.cleaning.errors import InvalidEvent
from app.metrics import BATCH_SECONDS, STAGE_DEAD, STAGE_IN, STAGE_OUT
from app.streaming.batch_send import BatchSend
from app.streaming.batches import take_batches
from app.streaming.current import as_current_event
from app.streaming.table_reads import read
from app.streaming.table_writes import TableWrites
from app.wire.codecs import encoder
from app.wire.dlq import dead_letter_record
from app.wire.topics import DLQ

#: The decoded record a stage reads (a TypedDict of app/models/dicts.py).
R = TypeVar("R", bound=Mapping[str, Any])
Ctx = TypeVar("Ctx")
P = TypeVar("P")


@dataclass(slots=True)
class Decoded(Generic[R]):
    """One event of the batch and its record, decoded with its topic's contract."""

    event: EventT
    record: R


@dataclass(slots=True)
class Output:
    """One record for ``topic`` (logical name), keyed by ``key``; ``source`` is the event it
    came from (dead-lettered in its place if the contract refuses the record)."""

    topic: str
    key: bytes
    record: Mapping[str, Any]
    source: EventT
    #: The metrics label of the destination (default: the topic).
    label: str | None = None


@dataclass(slots=True)
class Refused:
    """An event to dead-letter instead of an output (``reason`` is the DLQ's reason label)."""

    source: EventT
    reason: str
    error: BaseException


@dataclass(slots=True)
class KeyBatch(Generic[R]):
    """One key's share of the batch: its records in arrival order and its state per table."""

    key: bytes
    items: list[Decoded[R]]
    #: Table name → the key's value (a dict, ``{}`` when the key has none), updated in place.
    state: dict[str, dict[str, Any]] = field(default_factory=dict)


class Stage(Generic[R, Ctx, P]):
    """A stage's logic; subclasses fill in the hooks, :func:`run_batch` runs them.

    ``reads`` are tables read per key and not written; ``writes`` are read and written back;
    ``replaces`` are written without being read (the stage sets the whole value).
    ``P`` is what :meth:`apply` returns per key: usually :class:`Output`, or something that
    :meth:`complete` turns into outputs once the whole batch is known.
    """

    name: str = "stage"
    reads: Sequence[Any] = ()
    writes: Sequence[Any] = ()
    replaces: Sequence[Any] = ()

    def source_label(self, event: EventT) -> str:
        """The ``source`` label of the stage's input counter."""
        return str(event.message.topic)

    def decode(self, event: EventT) -> R:
        raise NotImplementedError

    def key_of(self, item: Decoded[R]) -> bytes:
        return event_key(item)

    async def prepare(self, items: list[Decoded[R]]) -> Ctx:
        """Batch-level lookups, before any per-key work."""
        raise NotImplementedError

    def apply(self, ctx: Ctx, batch: KeyBatch[R]) -> list[P]:
        """One key's records and state → its results; updates ``batch.state`` in place."""
        raise NotImplementedError

    async def complete(self, ctx: Ctx, results: list[P]) -> list[Output | Refused]:
        """Every key's results → the batch's outputs (default: they are outputs already)."""
        return [r for r in results if isinstance(r, Output | Refused)]

    async def after_output(self, ctx: Ctx) -> None:
        """Work that must follow the acknowledged output (default: none)."""


def event_key(item: Decoded[Any]) -> bytes:
    """The message key, or the record's ``user_key`` for an unkeyed message."""
    return item.event.key or str(item.record.get("user_key") or "").encode()


def table_name(table: Any) -> str:
    return str(table.name)


async def run_batch(app: AppT, stage: Stage[Any, Any, Any], events: Sequence[EventT]) -> None:
    """One batch through ``stage``: see the module docstring for the steps and their order."""
    started = time.perf_counter()
    out = BatchSend(app)
    dlq = app.pipeline[DLQ]  # type: ignore[attr-defined]
    encode_dlq = encoder(DLQ)

    async def dead(event: EventT, reason: str, err: BaseException) -> None:
        key, record = dead_letter_record(stage.name, event, reason, err)
        await out.add(dlq, key, encode_dlq(record))
        STAGE_DEAD.labels(stage.name, reason).inc()

    decoded: list[Decoded[Any]] = []
    sources: Counter[str] = Counter()
    for event in events:
        sources[stage.source_label(event)] += 1
        try:
            record = stage.decode(event)
            if not isinstance(record, dict):
                raise InvalidEvent("undecodable", "value is not a record")
            decoded.append(Decoded(event, record))
        except InvalidEvent as err:
            await dead(event, err.reason, err)
        except Exception as err:  # a decoder error of any kind: the bytes are not our contract
            await dead(event, "undecodable", err)

    for source, n in sources.items():  # one counter update per label, not per event
        STAGE_IN.labels(stage.name, source).inc(n)
    ctx = await stage.prepare(decoded)

    by_key: dict[bytes, list[Decoded[Any]]] = defaultdict(list)
    for item in decoded:
        by_key[stage.key_of(item)].append(item)
    keyed: list[KeyBatch[Any]] = []
    results: list[Any] = []
    for key, items in by_key.items():
        # Tables read and write the store of the *current* event's partition; in a batch that
        # is whatever came last, so point it at this key's own source partition first.
        as_current_event(items[0].event)
        batch = KeyBatch(key, items)
        for table in (*stage.reads, *stage.writes):
            batch.state[table_name(table)] = dict(read(table, key) or {})
        for table in stage.replaces:
            batch.state[table_name(table)] = {}
        results.extend(stage.apply(ctx, batch))
        keyed.append(batch)

    encoders: dict[str, Callable[[Any], bytes]] = {}
    destinations: Counter[str] = Counter()
    for o in await stage.complete(ctx, results):
        if isinstance(o, Refused):
            await dead(o.source, o.reason, o.error)
            continue
        encode = encoders.get(o.topic) or encoders.setdefault(o.topic, encoder(o.topic))
        try:
            value = encode(o.record)
        except Exception as err:  # e.g. a value the output contract refuses
            await dead(o.source, "contract_violation", err)
            continue
        await out.add(app.pipeline[o.topic], o.key, value)  # type: ignore[attr-defined]
        destinations[o.label or o.topic] += 1
    await out.finish()
    for destination, n in destinations.items():
        STAGE_OUT.labels(stage.name, destination).inc(n)
    await stage.after_output(ctx)

    writes = TableWrites(app)
    for batch in keyed:
        for table in (*stage.writes, *stage.replaces):
            await writes.set(table, batch.items[0].event, batch.key, batch.state[table.name])
    await writes.ship()
    BATCH_SECONDS.labels(stage.name).observe(time.perf_counter() - started)


async def run_stage(app: AppT, stage: Stage[Any, Any, Any], stream: StreamT) -> None:
    """The body of a stage's agent: batches from ``stream`` through ``stage`` until it ends."""
    settings = app.settings  # type: ignore[attr-defined]
    batches = take_batches(stream, settings.batch_size, within=settings.batch_wait_ms / 1000)
    async for events in batches:
        await run_batch(app, stage, events)
