"""The process-wide schema registry client, built on first use from the settings.

Built lazily so importing topic declarations never needs the registry; every call on it is
blocking HTTP (httpx), so callers reach it from a thread (see :mod:`app.serialization.warmup`)
or during start-up, never per message. The client caches subject → schema → id and id → schema,
which is what keeps encode and decode off the network once warmed up.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol, cast

import httpx
from schema_registry.client import SchemaRegistryClient
from schema_registry.client.schema import BaseSchema
from schema_registry.client.utils import SchemaVersion

#: Seconds for one registry request: long enough for a loaded registry, short enough for start-up.
REQUEST_TIMEOUT = 10.0


class RegistryClient(Protocol):
    """The part of ``schema_registry.client.SchemaRegistryClient`` Headwater uses."""

    def register(self, subject: str, schema: Any, **kwargs: Any) -> int: ...

    def get_by_id(self, schema_id: int, **kwargs: Any) -> BaseSchema | None: ...

    def get_schema(
        self, subject: str, version: int | str = "latest", **kwargs: Any
    ) -> SchemaVersion | None: ...

    def check_version(self, subject: str, schema: Any, **kwargs: Any) -> SchemaVersion | None: ...

    def get_versions(self, subject: str, **kwargs: Any) -> list[Any]: ...

    def get_compatibility(self, subject: str | None = None, **kwargs: Any) -> str: ...

    def test_compatibility(
        self, subject: str, schema: Any, version: int | str = "latest", **kwargs: Any
    ) -> bool | dict[str, Any]: ...


_lock = threading.Lock()
_client: RegistryClient | None = None


def registry_client() -> RegistryClient:
    """The shared client for ``SCHEMA_REGISTRY_URL``, created on first call."""
    global _client
    with _lock:
        if _client is None:
            from app.settings import get_settings

            built: Any = SchemaRegistryClient(
                get_settings().schema_registry_url, timeout=httpx.Timeout(REQUEST_TIMEOUT)
            )
            _client = cast(RegistryClient, built)
        return _client


def use_registry_client(client: RegistryClient | None) -> None:
    """Replace the shared client (a test fake, or one built with TLS/auth); None resets it."""
    global _client
    with _lock:
        _client = client
