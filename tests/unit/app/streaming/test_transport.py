"""The worker's Kafka consumer takes its fetch wait from the settings (app/transport.py)."""

from __future__ import annotations

import pytest

from app.core import app, settings
from app.streaming.transport import DEFAULT_WAIT_MS


@pytest.mark.asyncio
async def test_worker_consumer_waits_as_configured_not_faust_1500ms() -> None:
    assert settings.consumer_fetch_max_wait_ms != DEFAULT_WAIT_MS  # the test would prove nothing
    consumer = app.consumer._thread._create_worker_consumer(app.transport)  # type: ignore[attr-defined]
    try:
        assert consumer._fetch_max_wait_ms == settings.consumer_fetch_max_wait_ms
    finally:
        await consumer.stop()  # never started: releases the client it built
