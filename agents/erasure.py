"""GDPR erasure of the Faust tables: a request on ``gdpr.erasures`` (keyed by user_key, so it
reaches the worker that owns the key's partition) deletes the user from the sessions, profiles
and recommendations tables. Table deletes write tombstones to the changelogs, so recovery and
compaction forget the user too. A table can only be written from inside stream processing,
which is why the HTTP erasure goes through this topic
(:class:`app.serving.gdpr_tables.FaustTablesStore`).
"""

from __future__ import annotations

import logging

from faust import StreamT

from app.core import app
from app.metrics import STAGE_OUT
from app.wire.topics import ERASURES
from tables.profiles import profiles_table
from tables.recommendations import recommendations_table
from tables.sessions import sessions_table

log = logging.getLogger(__name__)
TABLES = {"sessions": sessions_table, "profiles": profiles_table,
          "recommendations": recommendations_table}  # fmt: skip


@app.agent(app.pipeline[ERASURES], name="gdpr-erasure")
async def erase_from_tables(stream: StreamT) -> None:
    engine = app.components.engine
    async for key, _request_id in stream.items():
        removed = []
        for name, table in TABLES.items():
            if key in table:
                del table[key]
                removed.append(name)
        engine.prescriptions.forget(key.decode())
        if engine.vectors is not None:
            engine.vectors.forget(key.decode())
        STAGE_OUT.labels("erase", ",".join(removed) or "nothing").inc()
        log.info("erased one user from tables: %s", ", ".join(removed) or "nothing held")
