"""Topic names shared by the reference pipelines: three hops after the raw topics, per family."""

from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from app.wire.topics import RAW

HOPS = 3


def hop_topic(prefix: str, system: str, family: str, hop: int) -> str:
    """``<prefix>bench.<system>.hop<N>.<family>``; hop 0 is the raw topic itself."""
    return prefix + (RAW[family] if hop == 0 else f"bench.{system}.hop{hop}.{family}")


def family_of(prefix: str, topic: str) -> str:
    """The family a raw or hop topic carries (its last dotted part names it)."""
    for family, raw in RAW.items():
        if topic == prefix + raw or topic.endswith(f".{family}"):
            return family
    raise ValueError(f"{topic!r} is neither a raw topic nor a hop topic under {prefix!r}")


async def create_topics(bootstrap: str, names: list[str], partitions: int) -> None:
    """The hop topics with the raw topics' partition count (not a producer's auto-created 1)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(n, partitions, 1) for n in names])
    finally:
        await admin.close()
