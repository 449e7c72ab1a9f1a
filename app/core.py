"""The one ``faust.App`` of Headwater, built from :func:`app.settings.get_settings`.

The app owns its topics (``app.pipeline``, :class:`app.wire.declared.PipelineTopics`) and its
components (``app.components``, :class:`app.components.Components`: PostgreSQL, Milvus, the
catalog, the engine...). Agents, tables, web views and commands live in their own modules and
register themselves on this app when autodiscovery imports them (``faust -A app worker``).
"""

from __future__ import annotations

from typing import Any, cast

import faust
from faust.types import TransportT

from app.components import Components
from app.settings import Settings, get_settings
from app.streaming.transport import Transport
from app.wire.declared import PipelineTopics

settings = get_settings()


class HeadwaterApp(faust.App):
    """The Faust app, plus one start-up step: topics and data contracts before any message.

    Its consumer comes from :class:`app.streaming.transport.Transport`, which applies
    :attr:`fetch_max_wait_ms` (Faust has no setting for it).

    ``on_start`` runs before the app's children (consumer, producer, agents) start, so a
    contract the registry refuses stops the worker with the subject and the fields that broke,
    before it could produce a record nobody can read.
    """

    def __init__(self, settings: Settings, **kwargs: Any) -> None:
        super().__init__(settings.app_id, **kwargs)
        self.settings = settings
        self.fetch_max_wait_ms = settings.consumer_fetch_max_wait_ms
        self.pipeline = PipelineTopics(self, settings)
        self.components = Components(self, settings)
        # Typed for classes, but App._prepare_subservice starts instances as they are.
        self.service(cast(Any, self.components))

    def _new_transport(self) -> TransportT:
        return Transport(self.conf.broker_consumer, self)

    async def on_start(self) -> None:
        await super().on_start()
        from app.serialization import warm_up
        from app.services.topic_admin import ensure_topics
        from app.wire.codecs import all_codec_names

        await ensure_topics(
            self.settings.kafka_bootstrap,
            self.pipeline.declared(),
            self.settings.topic_replication_factor,
        )
        await warm_up(all_codec_names())


app = HeadwaterApp(
    settings,
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
