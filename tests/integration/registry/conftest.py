from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.settings import Settings
from tests.integration.registry.process import RegistryProcess

Factory = Callable[..., RegistryProcess]


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Iterator[str]:
    """One registry per test module, on its own topic; tests use unique subjects."""
    proc = RegistryProcess(tmp_path_factory.mktemp("registry"), settings.kafka_bootstrap)
    try:
        yield proc.start().url
    finally:
        proc.stop()
        proc.delete_topic()


@pytest.fixture
def registry_factory(tmp_path: Path, settings: Settings) -> Iterator[Factory]:
    """Registries started by the test itself (restarts, two instances on one topic)."""
    started: list[RegistryProcess] = []

    def make(topic: str | None = None) -> RegistryProcess:
        proc = RegistryProcess(tmp_path, settings.kafka_bootstrap, topic)
        started.append(proc)
        return proc

    yield make
    for proc in started:
        proc.stop()
    for proc in {p.topic: p for p in started}.values():
        proc.delete_topic()
