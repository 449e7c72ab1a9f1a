"""The one ``faust.App`` of Headwater, built from :func:`app.settings.get_settings`.

Agents, tables, web views and commands live in their own modules and register themselves on
this app when autodiscovery imports them (``faust -A app worker``).
"""

from __future__ import annotations

from typing import Any, cast

import faust

from app.services.milvus import Milvus
from app.services.postgres import Postgres
from app.settings import get_settings

settings = get_settings()

app = faust.App(
    settings.app_id,
    broker=settings.broker_url,
    store=settings.store,
    datadir=str(settings.data_dir),
    topic_partitions=settings.topic_partitions,
    topic_replication_factor=settings.topic_replication_factor,
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
for _service in (postgres, milvus):
    # Typed for classes, but App._prepare_subservice starts instances as they are.
    app.service(cast(Any, _service))
