"""The Faust tables as a GDPR store (see app/profiles/gdpr.py): export reads them, erase sends
the request that agents/erasure.py carries out on the owning worker."""

from __future__ import annotations

import uuid
from typing import Any

from faust.types import AppT

from app.enrich import profiles
from app.wire.topics import ERASURES


class FaustTablesStore:
    name = "faust-tables"

    def __init__(self, app: AppT) -> None:
        self._app = app

    async def export(self, user_key: str) -> dict[str, Any]:
        # Imported here: the tables are declared on the app this store is built with.
        from tables.profiles import profiles_table
        from tables.recommendations import recommendations_table
        from tables.sessions import sessions_table

        key = user_key.encode()
        profile = profiles_table.get(key)
        out: dict[str, Any] = {}
        if sessions_table.get(key):
            out["sessions"] = sessions_table.get(key)
        if profile:
            record = profiles.as_record(user_key, profile)
            record["updated_at"] = record["updated_at"].isoformat()
            out["profile"] = record
        if recommendations_table.get(key):
            out["recommendations"] = recommendations_table.get(key)
        return out

    async def erase(self, user_key: str) -> int:
        """Queue the deletion; returns how many tables held the user on this worker.

        Works from any process, the retention sweep's command included: the request travels
        on ``gdpr.erasures`` to the worker that owns the key.
        """
        try:
            held = len(await self.export(user_key))
        except Exception:  # a command process (the retention sweep) has no table stores open
            held = 0
        topic = self._app.pipeline[ERASURES]  # type: ignore[attr-defined]
        fut = await topic.send(key=user_key.encode(), value=uuid.uuid4().bytes)
        await fut
        return held
