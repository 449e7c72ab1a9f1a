"""Faust's Kafka transport with the consumer's fetch wait as a setting.

Faust builds its worker consumer with ``fetch_max_wait_ms=1500`` and no setting for it. With
one broker, aiokafka keeps one fetch request in flight per broker and leaves out of it every
partition whose records are still buffered; a record that lands on such a partition waits until
the request in flight returns, which on a quiet topic is the full wait. Measured on
``bench/bench_latency.py`` at 100 events/s: per-hop p99 ~1.5 s with 1500 ms, under 0.5 s with
20 ms; and ``bench/bench_pipeline.py`` one worker 321 → 355 events/s (a busy pipeline hit the
same gaps). A shorter wait costs one small fetch request per wait on an idle worker.
"""

from __future__ import annotations

from typing import Any, ClassVar

import aiokafka
from faust.transport.drivers import aiokafka as driver
from faust.types.transports import ConsumerT

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


class Transport(driver.Transport):
    Consumer: ClassVar[type[ConsumerT]] = _Consumer
