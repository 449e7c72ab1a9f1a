from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from app.serialization.client import use_registry_client
from app.serialization.codec import reset_codecs
from app.settings import Settings


@pytest.fixture(scope="session")
def registry_url(settings: Settings) -> str:
    """The real registry; fail with the fix when it is not running."""
    try:
        httpx.get(f"{settings.schema_registry_url}/subjects", timeout=5).raise_for_status()
    except httpx.HTTPError as err:
        pytest.fail(
            f"schema registry at {settings.schema_registry_url} did not answer ({err}): "
            "start it with `scripts/stack.sh up registry`",
            pytrace=False,
        )
    return settings.schema_registry_url


@pytest.fixture
def fresh_codecs(registry_url: str) -> Iterator[str]:
    """A new client (built from the settings, as in production) and no codec left over."""
    use_registry_client(None)
    reset_codecs()
    yield registry_url
    reset_codecs()
    use_registry_client(None)


def register_raw(registry_url: str, subject: str, schema: dict[str, object]) -> int:
    """Register with plain HTTP, independently of the code under test."""
    response = httpx.post(
        f"{registry_url}/subjects/{subject}/versions",
        json={"schema": json.dumps(schema)},
        headers={"Content-Type": "application/vnd.schemaregistry.v1+json"},
        timeout=10,
    )
    response.raise_for_status()
    return int(response.json()["id"])
