"""Consent changes (compacted topic) → the consent GlobalTable every stage reads."""

from __future__ import annotations

from faust import StreamT

from app.core import app
from app.topics import CONSENT, consent_topic
from app.wire import decoder
from tables.consent import consent_table


@app.agent(consent_topic, name="consent-ledger")
async def consent_ledger(stream: StreamT) -> None:
    decode = decoder(CONSENT)
    async for value in stream:
        change = decode(value)
        current = dict(consent_table.get(change["user_key"]) or {})
        current[str(change["purpose"])] = bool(change["granted"])
        consent_table[change["user_key"]] = current
