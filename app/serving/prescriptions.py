"""The user's sphere for the prescription rule, read through the minimized profile store.

Personalization may see only ``sphere_range`` (never the full prescription); each read is
access-logged by the store, so answers are cached per user for a few minutes instead of being
read for every recommendation.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from app.profiles.access import Actor

log = logging.getLogger(__name__)
TTL_SECONDS = 300.0
ACTOR = Actor(key_id="action-stage", role="service")


class PrescriptionLookup:
    def __init__(self) -> None:
        self._cache: dict[str, tuple[float, float | None]] = {}

    async def sphere(self, user_key: str, profiles: Any) -> float | None:
        """The user's strongest sphere (dioptres), or None without a stored prescription."""
        hit = self._cache.get(user_key)
        now = time.monotonic()
        if hit is not None and now - hit[0] < TTL_SECONDS:
            return hit[1]
        value: float | None = None
        try:
            fields = await profiles.profiles.read(user_key, "personalization", ACTOR)
            rng = fields.get("sphere_range")
            if rng:
                value = max(rng, key=abs)
        except Exception as err:  # no profile (404-like) or PostgreSQL down: no rule input
            if type(err).__name__ != "ProfileNotFound":
                log.debug("prescription not read for %s: %s", user_key, err)
        self._cache[user_key] = (now, value)
        return value

    async def spheres(self, user_keys: Iterable[str], profiles: Any) -> dict[str, float | None]:
        """:meth:`sphere` for many users: the cache misses are read in one round
        (``ProfileStore.read_many``)."""
        now = time.monotonic()
        out: dict[str, float | None] = {}
        missing: list[str] = []
        for user_key in user_keys:
            hit = self._cache.get(user_key)
            if hit is not None and now - hit[0] < TTL_SECONDS:
                out[user_key] = hit[1]
            else:
                missing.append(user_key)
        if not missing:
            return out
        try:
            found = await profiles.profiles.read_many(missing, "personalization", ACTOR)
        except Exception as err:  # PostgreSQL down: no rule input (cached, as by sphere())
            log.debug("prescriptions not read for %d users: %s", len(missing), err)
            found = {}
        for user_key in missing:
            rng = found.get(user_key, {}).get("sphere_range")
            value = max(rng, key=abs) if rng else None
            self._cache[user_key] = (now, value)
            out[user_key] = value
        return out

    def forget(self, user_key: str) -> None:
        self._cache.pop(user_key, None)
