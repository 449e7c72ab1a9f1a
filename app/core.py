"""The one ``faust.App`` of Headwater, built from :func:`app.settings.get_settings`.

Agents, tables, web views and commands live in their own modules and register themselves on
this app when autodiscovery imports them (``faust -A app worker``).
"""

from __future__ import annotations

from typing import Any, cast

import faust
from faust.types import TransportT

from app.catalog.cache import ProductCache
from app.catalog.relay import OutboxRelay
from app.services.milvus import Milvus
from app.services.postgres import Postgres
from app.settings import get_settings
from app.streaming.transport import Transport

settings = get_settings()


class HeadwaterApp(faust.App):
    """The Faust app, plus one start-up step: data contracts before any message.

    Its consumer comes from :class:`app.streaming.transport.Transport`, which applies
    :attr:`fetch_max_wait_ms` (Faust has no setting for it).

    ``on_start`` runs before the app's children (consumer, producer, agents) start, so a
    contract the registry refuses stops the worker with the subject and the fields that broke,
    before it could produce a record nobody can read.
    """

    fetch_max_wait_ms: int = settings.consumer_fetch_max_wait_ms

    def _new_transport(self) -> TransportT:
        return Transport(self.conf.broker_consumer, self)

    async def on_start(self) -> None:
        await super().on_start()
        from app.serialization import warm_up
        from app.services.topic_admin import ensure_topics
        from app.wire.codecs import all_codec_names
        from app.wire.topics import declared_topics

        await ensure_topics(
            settings.kafka_bootstrap, declared_topics(), settings.topic_replication_factor
        )
        await warm_up(all_codec_names())


app = HeadwaterApp(
    settings.app_id,
    broker=settings.broker_url,
    store=settings.store,
    datadir=str(settings.data_dir),
    topic_partitions=settings.topic_partitions,
    topic_replication_factor=settings.topic_replication_factor,
    producer_linger=settings.producer_linger_ms / 1000,
    Worker="app.worker:Worker",
    producer_max_batch_size=settings.producer_max_batch_bytes,
    web_host=settings.web_host,
    web_bind=settings.web_host,
    web_port=settings.web_port,
    # The built-in /table/ views would expose personal data from tables: keep them off.
    web_tables_enabled=False,
    autodiscover=["agents", "tables", "app.web", "app.cli"],
    origin="app",
)

postgres = Postgres(
    settings.database_url,
    min_size=settings.database_pool_min,
    max_size=settings.database_pool_max,
)
milvus = Milvus(settings.milvus_uri, token=settings.milvus_token)
# Products as enrichment sees them; invalidated by agents/catalog.py from catalog.changes.
product_cache = ProductCache(postgres)
# Publishes committed catalog changes from the PostgreSQL outbox (one drainer at a time,
# under an advisory lock, so every worker may run one).
catalog_relay = OutboxRelay(
    settings.database_url,
    settings.kafka_bootstrap,
    topic=settings.topic("catalog.changes"),
    encode=lambda change: _encode_change(change),
)


def _encode_change(change: dict[str, Any]) -> bytes:
    from app.wire.codecs import encoder

    return encoder("catalog.changes")(change)


for _service in (postgres, milvus, catalog_relay):
    # Typed for classes, but App._prepare_subservice starts instances as they are.
    app.service(cast(Any, _service))
