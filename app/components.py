"""Everything a worker builds once and keeps for its life, built and started in one place.

:class:`Components` is created by the app (``app.components``) and started with it, as one
``mode`` service whose children are the backing services. Nothing here connects or loads at
import time: PostgreSQL and Milvus connect when the app starts, Presidio and the anomaly model
are built by a background task at start (they take seconds), and the engine loads its catalog
and rules the same way, so the worker answers ``/health`` while they warm up.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from mode import Service, ServiceT

from app.auth import Authenticator, PostgresKeyStore
from app.catalog.read_model import ProductReadModel
from app.catalog.relay import OutboxRelay
from app.privacy.pseudonym import Pseudonymizer
from app.profiles.components import ProfileComponents, build_profile_components
from app.services.milvus import Milvus
from app.services.postgres import Postgres
from app.serving.experiments import LiveExperiments
from app.serving.gdpr_tables import FaustTablesStore
from app.serving.runtime import Runtime
from app.settings import Settings
from app.web.access_batch import AccessLogWriter
from app.wire.topics import CATALOG_CHANGES

if TYPE_CHECKING:
    from faust.types import AppT

    from app.cleaning.tools import CleaningTools

log = logging.getLogger(__name__)


class Components(Service):
    """The backing services of a worker and what is built over them (see the module docstring)."""

    def __init__(self, app: AppT, settings: Settings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.postgres = Postgres(
            settings.database_url,
            min_size=settings.database_pool_min,
            max_size=settings.database_pool_max,
        )
        self.milvus = Milvus(settings.milvus_uri, token=settings.milvus_token)
        #: Products as enrichment and the engine see them; kept current by agents/catalog.py.
        self.products = ProductReadModel(self.postgres)
        #: Publishes committed catalog changes from the PostgreSQL outbox (one drainer at a
        #: time, under an advisory lock, so every worker may run one).
        self.catalog_relay = OutboxRelay(
            settings.database_url,
            settings.kafka_bootstrap,
            topic=settings.topic(CATALOG_CHANGES),
            encode=_encode_change,
        )
        #: The one keyed hash from clear user ids to ``user_key`` (cleaning and HTTP views).
        self.pseudonymize = Pseudonymizer(settings.pseudonym_key)
        self.authenticator = Authenticator(PostgresKeyStore(self.postgres))
        #: Reads of personal data share their access-log commits (app/web/access_batch.py).
        self.access_log = AccessLogWriter(self.postgres)
        self.profiles: ProfileComponents = build_profile_components(
            settings, self.postgres, self.milvus, extra_stores=[FaustTablesStore(app)]
        )
        #: The recommendation engine: generators, rules, catalog, vectors.
        self.engine = Runtime()
        self.experiments = LiveExperiments(self.postgres)
        self._cleaning: CleaningTools | None = None
        self._cleaning_lock = asyncio.Lock()

    def on_init_dependencies(self) -> list[ServiceT]:
        return [self.postgres, self.milvus, self.catalog_relay]

    async def on_start(self) -> None:
        # In the background: the web server and the stages' consumers need not wait for them.
        self.add_future(self.cleaning())
        self.add_future(self._start_engine())

    async def cleaning(self) -> CleaningTools:
        """Presidio and the anomaly model, built on first call (at start, by :meth:`on_start`)."""
        async with self._cleaning_lock:
            if self._cleaning is None:
                from app.cleaning.tools import build_cleaning_tools  # Presidio loads spaCy

                self._cleaning = await build_cleaning_tools(self.settings)
        return self._cleaning

    async def _start_engine(self) -> None:
        await self.engine.start(self.postgres, self.products)
        await self.engine.start_vectors(
            self.milvus, self.settings.milvus_collection_prefix, self.settings.database_url
        )


def _encode_change(change: dict[str, Any]) -> bytes:
    from app.wire.codecs import encoder

    return encoder(CATALOG_CHANGES)(change)
