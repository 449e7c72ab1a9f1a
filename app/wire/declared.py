"""The app's topics: declared once, when the app is built, and reached as ``app.pipeline``."""

from __future__ import annotations

from faust import TopicT
from faust.types import AppT

from app.settings import Settings
from app.wire.topics import CLEANED, RAW, topic_configs


class PipelineTopics:
    """Every topic of :mod:`app.wire.topics` as a Faust topic of ``app`` (raw bytes both ways)."""

    def __init__(self, app: AppT, settings: Settings) -> None:
        self._app = app
        self._settings = settings
        self._by_name: dict[str, TopicT] = {
            name: self._declare(name, config)
            for name, config in topic_configs(settings.dlq_retention_hours).items()
        }
        self.raw: dict[str, TopicT] = {family: self[name] for family, name in RAW.items()}
        self.cleaned: dict[str, TopicT] = {family: self[name] for family, name in CLEANED.items()}
        #: The four cleaned topics as one channel, for the enrich stage.
        self.cleaned_all: TopicT = app.topic(
            *(settings.topic(name) for name in CLEANED.values()),
            key_type=bytes,
            value_type=bytes,
            key_serializer="raw",
            value_serializer="raw",
        )

    def __getitem__(self, name: str) -> TopicT:
        """The topic of logical name ``name`` (without the prefix)."""
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"No topic {name!r}: declare it in app.wire.topics") from None

    def declared(self) -> list[TopicT]:
        """Every declared topic, for :func:`app.services.topic_admin.ensure_topics`."""
        return list(self._by_name.values())

    def _declare(self, name: str, config: dict[str, str]) -> TopicT:
        return self._app.topic(
            self._settings.topic(name),
            key_type=bytes,
            value_type=bytes,
            key_serializer="raw",
            value_serializer="raw",
            partitions=self._settings.topic_partitions,
            replicas=self._settings.topic_replication_factor,
            config=config or None,
        )
