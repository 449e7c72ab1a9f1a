"""Consent changes (compacted topic) → the consent GlobalTable every stage reads, and the
append-only ledger in PostgreSQL. A null value is a GDPR erasure tombstone."""

from __future__ import annotations

import logging

from faust import StreamT

from app.core import app
from app.errors import ServiceUnavailable
from app.profiles.consent import record_change
from app.wire.codecs import decoder
from app.wire.topics import CONSENT
from tables.consent import consent_table

log = logging.getLogger(__name__)


@app.agent(app.pipeline[CONSENT], name="consent-ledger")
async def consent_ledger(stream: StreamT) -> None:
    decode = decoder(CONSENT)
    async for key, value in stream.items():
        if value is None:
            consent_table.pop(key.decode(), None)
            continue
        change = decode(value)
        current = dict(consent_table.get(change["user_key"]) or {})
        current[str(change["purpose"])] = bool(change["granted"])
        consent_table[change["user_key"]] = current
        try:
            await record_change(
                app.components.postgres, change
            )  # idempotent on (user, purpose, time, source)
        except (ServiceUnavailable, OSError) as err:
            log.warning("consent ledger not written (PostgreSQL down): %s", err)
