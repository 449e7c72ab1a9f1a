"""``GET /v1/recommendations/{user}?k=10&context=...`` (role service).

Answered by the worker owning the user's partition: the latest list from the table when it is
long enough and for the same context, else computed on demand from the session and profile
tables. Without personalization consent the list is the non-personal one.
"""

from __future__ import annotations

import uuid

from faust.web import Request, Response

from app.core import app
from app.serving.runtime import to_record
from app.web.base import ApiView, BadRequest
from app.web.routing import forward
from tables.consent import consent_of
from tables.profiles import profiles_table
from tables.recommendations import recommendations_table
from tables.sessions import sessions_table

MAX_K = 100


@app.page("/v1/recommendations/{user}")
class Recommendations(ApiView):
    async def get(self, request: Request, user: str) -> Response:
        await self.require(request, "service")
        raw_k = request.query.get("k", "10")
        if not raw_k.isdigit() or not 1 <= int(raw_k) <= MAX_K:
            raise BadRequest(f"k must be an integer from 1 to {MAX_K}, got {raw_k!r}")
        k = int(raw_k)
        context = request.query.get("context") or None
        user_key = app.components.pseudonymize(user)
        key = user_key.encode()
        routed = await forward(self, request, recommendations_table, key)
        if routed is not None:
            return routed
        personal = consent_of(user_key)["personalization"]
        stored = recommendations_table.get(key)
        if (
            stored
            and personal == stored.get("personalized", personal)
            and stored.get("context") == context
            and len(stored.get("items", [])) >= k
        ):
            return self.json({**stored, "items": stored["items"][:k], "source": "stream"})
        engine = app.components.engine
        sphere = (
            await engine.prescriptions.sphere(user_key, app.components.profiles)
            if personal
            else None
        )
        rec = engine.recommend(
            user_key,
            prescription=sphere,
            profile=profiles_table.get(key),
            session=sessions_table.get(key),
            consent_personalization=personal,
            k=k,
            context=context,
        )
        record = to_record(rec, str(uuid.uuid4()))
        record["generated_at"] = record["generated_at"].isoformat()
        return self.json({**record, "source": "on_demand"})
