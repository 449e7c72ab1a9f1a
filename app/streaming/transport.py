"""Faust's Kafka transport with the consumer's fetch wait as a setting.

Faust builds its worker consumer with ``fetch_max_wait_ms=1500`` and no setting for it. With
one broker, aiokafka keeps one fetch request in flight per broker and leaves out of it every
partition whose records are still buffered; a record that lands on such a partition waits until
the request in flight returns, which on a quiet topic is the full wait; a busy pipeline hits
the same gaps. A shorter wait costs one small fetch request per wait on an idle worker
(measurements: docs/benchmarks.md, Design decisions, app/streaming/transport.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from typing import Any, ClassVar, cast

import aiokafka
from faust.transport.consumer import CONSUMER_FETCHING
from faust.transport.drivers import aiokafka as driver
from faust.types.transports import ConsumerT
from mode import Service, ServiceT

from app.streaming.eager import step

#: Faust's own value, for an app that does not set ``fetch_max_wait_ms``.
DEFAULT_WAIT_MS = 1500


class _ConsumerThread(driver.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> aiokafka.AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        # Read by AIOKafkaConsumer.start() when it builds its Fetcher; not started yet here.
        consumer._fetch_max_wait_ms = getattr(self.app, "fetch_max_wait_ms", DEFAULT_WAIT_MS)
        return consumer


class _Consumer(driver.Consumer):
    def _new_consumer_thread(self) -> driver.AIOKafkaConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def _drain_messages(self, fetcher: ServiceT) -> None:  # pragma: no cover
        """faust-streaming 0.15's loop, except how each message reaches the conductor.

        Faust awaits ``wait_first(callback(message), suspend_flow.wait())`` per message: four
        Tasks and an ``asyncio.wait`` for a callback that almost never blocks (measurements:
        docs/benchmarks.md, Design decisions, app/streaming/transport.py). Here the callback's
        first step runs inline (``app.streaming.eager.step``); only a callback that blocks (a
        full stream queue, flow control during a rebalance) is waited on as Faust does, so a
        rebalance still interrupts it. The loop still yields to the event loop every 100
        messages, as Faust's does.
        """
        callback = self.callback
        getmany = self.getmany
        consumer_should_stop = cast(Service, self)._stopped.is_set
        fetcher_should_stop = cast(Service, fetcher)._stopped.is_set

        get_read_offset = self._read_offset.__getitem__
        set_read_offset = self._read_offset.__setitem__
        set_flag = self.diag.set_flag
        unset_flag = self.diag.unset_flag
        commit_every = self._commit_every
        acks_enabled_for = self.app.topics.acks_enabled_for

        yield_every = 100
        num_since_yield = 0
        sleep = asyncio.sleep

        try:
            while not (consumer_should_stop() or fetcher_should_stop()):
                set_flag(CONSUMER_FETCHING)
                ait = cast(AsyncIterator, getmany(timeout=1.0))
                await self.sleep(0)
                if not self.should_stop:
                    async for tp, message in ait:
                        num_since_yield += 1
                        if num_since_yield > yield_every:
                            await sleep(0)
                            num_since_yield = 0

                        offset = message.offset
                        r_offset = get_read_offset(tp)
                        if r_offset is None or offset >= r_offset:
                            gap = offset - (r_offset or 0)
                            if gap > 1 and r_offset and acks_enabled_for(message.topic):
                                await self._add_gap(tp, r_offset + 1, offset)
                            if commit_every is not None and self._n_acked >= commit_every:
                                self._n_acked = 0
                                await self.commit()
                            rest = step(cast(Coroutine[Any, Any, None], callback(message)))
                            if rest is not None:
                                await self.wait_first(rest, self.suspend_flow.wait())
                            set_read_offset(tp, offset)
                        else:
                            self.log.dev("DROPPED MESSAGE ROFF %r", offset)
                    unset_flag(CONSUMER_FETCHING)
        except self.consumer_stopped_errors:
            if self.transport.app.should_stop:
                self.log.info("Broker stopped consumer, shutting down...")
                return
            raise
        except asyncio.CancelledError:
            if self.transport.app.should_stop:
                self.log.info("Consumer shutting down for user cancel.")
                return
            raise
        except Exception as exc:
            self.log.exception("Drain messages raised: %r", exc)
            raise
        finally:
            unset_flag(CONSUMER_FETCHING)


class Transport(driver.Transport):
    Consumer: ClassVar[type[ConsumerT]] = _Consumer
