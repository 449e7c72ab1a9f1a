"""``POST /v1/events``: the API gateway. Authenticated (role ``ingest``), bounded, validated.

Body: ``{"events": [ {...}, ... ]}`` (or a bare list). Valid events are produced to their raw
topic and acknowledged by Kafka before the answer; the answer is 202 with the accepted count
and one error per refused event (its index and why). Refused events are not dead-lettered:
the caller has them and the reason.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from faust.web import Request, Response

from app.cleaning.errors import InvalidEvent
from app.cleaning.json_events import message_key, validate_event
from app.core import app, settings
from app.metrics import INGEST_EVENTS, INGEST_REQUESTS
from app.web.base import ApiView, BadRequest
from app.wire.codecs import encoder
from app.wire.topics import RAW


@app.page("/v1/events")
class Events(ApiView):
    async def post(self, request: Request) -> Response:
        try:
            await self.require(request, "ingest")
            body = await self.read_json(request, settings.ingest_max_bytes)
            events = body.get("events") if isinstance(body, dict) else body
            if not isinstance(events, list) or not events:
                raise BadRequest('Body must be {"events": [...]} with at least one event')
            if len(events) > settings.ingest_max_events:
                INGEST_REQUESTS.labels("413").inc()
                return self.json(
                    {
                        "error": f"{len(events)} events in one request; the limit is "
                        f"{settings.ingest_max_events}: split the batch"
                    },
                    status=413,
                )
        except Exception as err:
            INGEST_REQUESTS.labels(str(getattr(err, "code", 500))).inc()
            raise
        now = datetime.now(UTC)
        errors: list[dict[str, Any]] = []
        sends = []
        for index, event in enumerate(events):
            try:
                family, valid = validate_event(event, settings, now)
            except InvalidEvent as err:
                errors.append({"index": index, "reason": err.reason, "error": str(err)})
                continue
            value = encoder(RAW[family])(valid)
            sends.append(await app.pipeline.raw[family].send(key=message_key(valid), value=value))
        # Accepted means written: wait for the broker's acknowledgement of every event.
        await asyncio.gather(*sends)
        INGEST_EVENTS.labels("accepted").inc(len(sends))
        INGEST_EVENTS.labels("refused").inc(len(errors))
        INGEST_REQUESTS.labels("202").inc()
        return self.json(
            {"accepted": len(sends), "refused": len(errors), "errors": errors}, status=202
        )
