"""GDPR and profile endpoints (see docs/privacy.md).

GET    /v1/users/{user_id}/export                 admin: everything every store holds
DELETE /v1/users/{user_id}                        admin: erase from every store; the receipt
PUT    /v1/users/{user_id}/profile                admin, service: write profile fields
GET    /v1/users/{user_id}/profile?purpose=...    service, analyst: the purpose's fields only

``user_id`` is the clear id; it is pseudonymized here exactly as the cleaning stage does, and
only the pseudonym is used or stored. Every read of personal data is access-logged.
"""

from __future__ import annotations

from faust.web import Request, Response

from app.auth import Principal
from app.core import app
from app.profiles.access import Actor
from app.profiles.components import ProfileComponents
from app.web.base import ApiView, BadRequest

MAX_BODY = 64 * 1024


def _services() -> ProfileComponents:
    return app.components.profiles


def _actor(p: Principal) -> Actor:
    return Actor(p.key_id, p.role)


def _user_key(user_id: str) -> str:
    user_id = user_id.strip()
    if not user_id or len(user_id) > 256:
        raise BadRequest("user id must be 1-256 characters (the user's id or anonymous id)")
    return _services().pseudonymize(user_id)


@app.page("/v1/users/{user_id}/export")
class UserExport(ApiView):
    async def get(self, request: Request, user_id: str) -> Response:
        principal = await self.require(request, "admin")
        user_key = _user_key(user_id)
        export = await _services().orchestrator().export(user_key, _actor(principal))
        return self.json(export)


@app.page("/v1/users/{user_id}")
class UserErase(ApiView):
    async def delete(self, request: Request, user_id: str) -> Response:
        principal = await self.require(request, "admin")
        user_key = _user_key(user_id)
        receipt = await _services().orchestrator().erase(user_key, _actor(principal))
        # Incomplete: some store failed; erasure is idempotent, so the client retries.
        return self.json(receipt.as_dict(), status=200 if receipt.complete else 502)


@app.page("/v1/users/{user_id}/profile")
class UserProfile(ApiView):
    async def get(self, request: Request, user_id: str) -> Response:
        principal = await self.require(request, "service", "analyst")
        purpose = request.query.get("purpose", "")
        if not purpose:
            raise BadRequest("purpose is required: personalization, service or analytics")
        user_key = _user_key(user_id)
        fields = await _services().profiles.read(user_key, purpose, _actor(principal))
        return self.json({"user_key": user_key, "purpose": purpose, "fields": fields})

    async def put(self, request: Request, user_id: str) -> Response:
        principal = await self.require(request, "service")
        body = await self.read_json(request, MAX_BODY)
        if not isinstance(body, dict):
            raise BadRequest("Body must be a JSON object of profile fields")
        user_key = _user_key(user_id)
        written = await _services().profiles.put(user_key, body, _actor(principal))
        return self.json({"user_key": user_key, "written": written})
