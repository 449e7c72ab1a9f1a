"""Create the pipeline's topics before the worker subscribes.

Faust subscribes only to topics that exist when it starts ("Ignoring missing topic"), and a
producer's auto-created topic would get the broker's default partition count and no config.
So the worker creates every declared topic first, with its partitions and config (retention,
compaction); topics that exist are left as they are.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faust import TopicT

from app.errors import ConfigError

log = logging.getLogger(__name__)


async def ensure_topics(bootstrap: str, topics: Iterable[TopicT], replicas: int) -> list[str]:
    """Create the missing ones; return the names created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = []
        for topic in topics:
            for name in topic.topics:
                if name not in existing:
                    wanted.append(
                        NewTopic(
                            name,
                            num_partitions=topic.partitions or 1,
                            replication_factor=topic.replicas or replicas,
                            topic_configs=dict(topic.config or {}),
                        )
                    )
        await _check_partitions(admin, topics, existing)
        if wanted:
            # Another worker may win the race: the topics then exist, which is all we need.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(wanted)
            log.info("Created topics: %s", ", ".join(t.name for t in wanted))
        return [t.name for t in wanted]
    finally:
        await admin.close()


async def _check_partitions(
    admin: AIOKafkaAdminClient, topics: Iterable[TopicT], existing: set[str]
) -> None:
    """Tables need their source topics to have as many partitions as their changelogs: a
    topic auto-created by a producer with one partition would crash the agents later."""
    expected = {n: t.partitions for t in topics for n in t.topics if n in existing and t.partitions}
    if not expected:
        return
    wrong = []
    for desc in await admin.describe_topics(list(expected)):
        count = len(desc.get("partitions") or ())
        if count and count != expected[desc["topic"]]:
            wrong.append(
                f"{desc['topic']} has {count} partition(s), expected {expected[desc['topic']]}"
            )
    if wrong:
        raise ConfigError(
            "Topics exist with the wrong partition count (" + "; ".join(wrong) + "). A producer "
            "probably auto-created them. Delete them (or set TOPIC_PARTITIONS to match) and "
            "restart the worker"
        )
