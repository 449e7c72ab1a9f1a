from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.serialization.client import use_registry_client
from app.serialization.codec import reset_codecs
from tests.unit.app.serialization.fake_registry import FakeRegistry


@pytest.fixture
def registry() -> Iterator[FakeRegistry]:
    fake = FakeRegistry()
    use_registry_client(fake)
    yield fake
    reset_codecs()
    use_registry_client(None)
