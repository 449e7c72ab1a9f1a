"""``POST /v1/consent``: record a user's consent change for one purpose (role ``ingest``).

Body: ``{"user_id": "...", "purpose": "analytics|personalization|marketing", "granted": bool}``.
The id is pseudonymized here; only the pseudonym travels on ``consent.changes``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from faust.web import Request, Response

from app.core import app
from app.web.base import ApiView, BadRequest
from app.wire.codecs import encoder
from app.wire.topics import CONSENT

PURPOSES = ("analytics", "personalization", "marketing")


@app.page("/v1/consent")
class Consent(ApiView):
    async def post(self, request: Request) -> Response:
        principal = await self.require(request, "ingest")
        body = await self.read_json(request, 64 * 1024)
        if not isinstance(body, dict):
            raise BadRequest("Body must be a JSON object")
        user_id, purpose, granted = body.get("user_id"), body.get("purpose"), body.get("granted")
        if not isinstance(user_id, str) or not user_id.strip():
            raise BadRequest("user_id is required (the user's id or anonymous id)")
        if purpose not in PURPOSES:
            raise BadRequest(f"purpose must be one of {', '.join(PURPOSES)}")
        if not isinstance(granted, bool):
            raise BadRequest("granted must be true or false")
        user_key = app.components.pseudonymize(user_id.strip())
        record = {
            "user_key": user_key,
            "purpose": purpose,
            "granted": granted,
            "changed_at": datetime.now(UTC),
            "source": f"api:{principal.key_id}",
        }
        fut = await app.pipeline[CONSENT].send(
            key=user_key.encode(), value=encoder(CONSENT)(record)
        )
        await fut
        return self.json({"user_key": user_key, "purpose": purpose, "granted": granted}, status=202)
