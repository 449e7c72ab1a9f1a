"""The compacted ``_schemas`` topic: the registry's only durable state.

One partition, so the topic is a total order. :meth:`KafkaLog.start` creates the topic when it
is missing and reads it to the end before the HTTP server opens; afterwards a background task
keeps consuming, so records written by another instance are applied here too. :meth:`write`
produces with ``acks=all`` and returns only once the consumer has applied the record: the
in-memory store is always a fold of what Kafka holds, never ahead of it.

Operator action: the topic must stay compacted (``cleanup.policy=compact``); with ``delete``
Kafka would expire schemas after the retention period and ids would be lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError, for_code

from registry.errors import RegistryError, RegistryUnavailable
from registry.store import Record, Store

log = logging.getLogger(__name__)


class StartupError(RegistryError):
    """The ``_schemas`` topic cannot be used; the message says how to fix it."""

    def __init__(self, message: str) -> None:
        super().__init__(500, 50001, message)


class KafkaLog:
    def __init__(
        self,
        store: Store,
        bootstrap: str,
        topic: str,
        *,
        replication_factor: int = 1,
        timeout: float = 30.0,
    ) -> None:
        self.store = store
        self.bootstrap = bootstrap
        self.topic = topic
        self.replication_factor = replication_factor
        self.timeout = timeout
        self._tp = TopicPartition(topic, 0)
        self._producer: AIOKafkaProducer | None = None
        self._consumer: AIOKafkaConsumer | None = None
        self._position = 0
        self._advanced = asyncio.Condition()
        self._reader: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        await self._ensure_topic()
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            client_id=f"registry-reader-{self.topic}",
        )
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap,
            acks="all",
            enable_idempotence=True,
            client_id=f"registry-writer-{self.topic}",
        )
        await self._consumer.start()
        await self._producer.start()
        self._consumer.assign([self._tp])
        await self._consumer.seek_to_beginning(self._tp)
        self._reader = asyncio.create_task(self._read_forever(), name="registry-log-reader")
        await self.catch_up()
        log.info(
            "read %s to offset %d: %d subjects, max id %d",
            self.topic,
            self._position,
            len(self.store.subjects(deleted=True)),
            self.store.max_id(),
        )

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        for client in (self._producer, self._consumer):
            if client is not None:
                await client.stop()

    async def _ensure_topic(self) -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        try:
            await admin.start()
            topic = NewTopic(
                self.topic,
                num_partitions=1,
                replication_factor=self.replication_factor,
                topic_configs={"cleanup.policy": "compact"},
            )
            response = await admin.create_topics([topic])
            for _name, code, *_rest in response.topic_errors:
                if code and for_code(code) is not TopicAlreadyExistsError:
                    raise StartupError(
                        f"Could not create topic {self.topic!r}: {for_code(code).__name__}; "
                        "create it by hand (1 partition, cleanup.policy=compact)"
                    )
            partitions = await self._partitions(admin)
            if partitions != 1:
                raise StartupError(
                    f"Topic {self.topic!r} has {partitions} partitions; the schema registry "
                    "needs exactly one so records keep their order. Point --topic at a "
                    "one-partition compacted topic"
                )
        except (KafkaError, TimeoutError) as err:
            raise RegistryUnavailable(
                500, 50001, f"Kafka at {self.bootstrap} is unavailable: {err or 'timeout'}"
            ) from err
        finally:
            await admin.close()

    async def _partitions(self, admin: AIOKafkaAdminClient) -> int:
        """The topic's partition count, waiting for a just-created topic to be visible."""
        async with asyncio.timeout(self.timeout):
            while True:
                (found,) = await admin.describe_topics([self.topic])
                if found["error_code"] == 0 and found["partitions"]:
                    return len(found["partitions"])
                await asyncio.sleep(0.2)

    # ------------------------------------------------------------------ reading
    async def _read_forever(self) -> None:
        assert self._consumer is not None
        while True:
            try:
                batches = await self._consumer.getmany(self._tp, timeout_ms=500)
                for message in batches.get(self._tp, []):
                    self.store.apply(message.key, message.value)
                position = await self._consumer.position(self._tp)
            except asyncio.CancelledError:
                raise
            except Exception:  # keep the registry up; aiokafka reconnects by itself
                log.exception("reading %s failed; retrying", self.topic)
                await asyncio.sleep(1)
                continue
            if position != self._position:
                async with self._advanced:
                    self._position = position
                    self._advanced.notify_all()

    async def _wait_applied(self, offset: int) -> None:
        """Wait until every record before ``offset`` is in the store."""
        try:
            async with asyncio.timeout(self.timeout), self._advanced:
                await self._advanced.wait_for(lambda: self._position >= offset)
        except TimeoutError as err:
            raise RegistryUnavailable(
                500,
                50002,
                f"Topic {self.topic!r} was not read up to offset {offset} within "
                f"{self.timeout:.0f}s; check that Kafka at {self.bootstrap} is up",
            ) from err

    async def catch_up(self) -> None:
        """Apply everything the topic holds right now (other writers' records included)."""
        assert self._consumer is not None
        try:
            async with asyncio.timeout(self.timeout):
                ends = await self._consumer.end_offsets([self._tp])
        except (TimeoutError, KafkaError) as err:
            raise RegistryUnavailable(
                500, 50002, f"Kafka at {self.bootstrap} did not answer: {err or 'timeout'}"
            ) from err
        await self._wait_applied(ends[self._tp])

    # ------------------------------------------------------------------ writing
    async def write(self, records: Sequence[Record]) -> None:
        assert self._producer is not None
        last = -1
        try:
            async with asyncio.timeout(self.timeout):
                for key, value in records:
                    meta = await self._producer.send_and_wait(
                        self.topic, key=key, value=value, partition=0
                    )
                    last = meta.offset
        except (TimeoutError, KafkaError) as err:
            raise RegistryUnavailable(
                500,
                50001,
                f"Could not write to topic {self.topic!r} at {self.bootstrap}: {err or 'timeout'}",
            ) from err
        if last >= 0:
            await self._wait_applied(last + 1)
