"""pymilvus behind an async facade.

pymilvus is synchronous (gRPC): every call runs on a small dedicated thread pool so the event
loop never blocks. ``MILVUS_URI`` selects the server: the Milvus Lite server of the local stack,
a Milvus standalone, or a cluster proxy; the code does not change.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from mode import Service
from pymilvus import MilvusClient

from app.errors import ServiceUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")


class Milvus(Service):
    """Runs ``fn(client, *args)`` off the loop with a lazily connected :class:`MilvusClient`."""

    def __init__(self, uri: str, *, token: str = "", threads: int = 2, **kwargs: object):
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.uri = uri
        self.token = token
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="milvus")
        self._client: MilvusClient | None = None

    async def on_stop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await asyncio.get_running_loop().run_in_executor(self._executor, client.close)
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _connected(self) -> MilvusClient:
        if self._client is None:
            self._client = MilvusClient(uri=self.uri, token=self.token, timeout=5)
        return self._client

    def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return fn(self._connected(), *args, **kwargs)
        except Exception as err:
            if _is_connection_error(err):
                self._client = None
                raise ServiceUnavailable("milvus", f"{type(err).__name__}: {err}") from err
            raise

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Await ``fn(client, *args, **kwargs)`` executed on the Milvus thread pool."""
        loop = asyncio.get_running_loop()
        call = functools.partial(self._call, fn, *args, **kwargs)
        return await loop.run_in_executor(self._executor, call)

    async def ping(self, timeout: float) -> None:
        try:
            async with asyncio.timeout(timeout):
                await self.run(lambda c: c.list_collections(timeout=timeout))
        except TimeoutError as err:
            raise ServiceUnavailable("milvus", f"no answer within {timeout}s") from err
        except ServiceUnavailable:
            raise
        except Exception as err:  # pymilvus raises MilvusException subclasses for everything
            raise ServiceUnavailable("milvus", f"{type(err).__name__}: {err}") from err


def _is_connection_error(err: Exception) -> bool:
    text = f"{type(err).__name__} {err}".lower()
    return any(w in text for w in ("connect", "unavailable", "timeout", "deadline"))
