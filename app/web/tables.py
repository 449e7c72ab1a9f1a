"""Table views: ``GET /v1/sessions/{user}`` and ``GET /v1/profiles/{user}`` (role service).

``{user}`` is the clear user or anonymous id; it is pseudonymized here and the request is
answered by the worker that owns the pseudonym's partition (see :mod:`app.web.routing`).
"""

from __future__ import annotations

from typing import Any

from faust.web import Request, Response

from app.auth import Principal
from app.core import app
from app.enrich import profiles
from app.profiles.access import Actor
from app.web.base import ApiView
from app.web.routing import forward
from tables.profiles import profiles_table
from tables.sessions import sessions_table


async def _log_read(principal: Principal, user_key: str, what: str, request: Request) -> None:
    """Every read of personal data leaves a row: who, what, when, why (``?purpose=``); the
    answer waits until the row is committed."""
    await app.components.access_log.log(
        Actor(principal.key_id, principal.role),
        action="read",
        user_key=user_key,
        fields=[what],
        purpose=request.query.get("purpose", "service"),
    )


def _served(response: Response) -> Response:
    """Say which worker answered (routing is visible to operators and tests)."""
    response.headers["X-Served-By"] = str(app.conf.canonical_url)  # type: ignore[attr-defined]
    return response


async def _user_key(user: str) -> str:
    return app.components.pseudonymize(user)


def _session_view(user_key: str, state: dict[str, Any]) -> dict[str, Any]:
    cur = state.get("current")
    current = None
    if cur is not None:
        current = {
            "session_id": cur["session_id"],
            "started_at_ms": cur["started_ms"],
            "last_event_at_ms": cur["last_ms"],
            "duration_seconds": (cur["last_ms"] - cur["started_ms"]) / 1000,
            "events": cur["events"],
            "device": cur.get("device"),
            "viewed": cur["viewed"],
            "carted": cur["carted"],
            "bought": cur["bought"],
            "searches": cur["searches"],
        }
    return {"user_key": user_key, "current": current, "recent": state.get("recent", [])}


@app.page("/v1/sessions/{user}")
class Sessions(ApiView):
    async def get(self, request: Request, user: str) -> Response:
        principal = await self.require(request, "service", "analyst")
        key = (await _user_key(user)).encode()
        routed = await forward(self, request, sessions_table, key)
        if routed is not None:
            return routed
        state = sessions_table.get(key)
        if not state:
            return self.json({"error": f"no session for user {user!r}"}, status=404)
        await _log_read(principal, key.decode(), "sessions", request)
        return _served(self.json(_session_view(key.decode(), state)))


@app.page("/v1/profiles/{user}")
class Profiles(ApiView):
    async def get(self, request: Request, user: str) -> Response:
        principal = await self.require(request, "service")
        key = (await _user_key(user)).encode()
        routed = await forward(self, request, profiles_table, key)
        if routed is not None:
            return routed
        state = profiles_table.get(key)
        if not state:
            return self.json({"error": f"no profile for user {user!r}"}, status=404)
        await _log_read(principal, key.decode(), "behavioural_profile", request)
        record = profiles.as_record(key.decode(), state)
        record["updated_at"] = record["updated_at"].isoformat()
        # How many events built this profile (each counted once, replays included).
        record["events_seen"] = int(state.get("events", 0))
        return _served(self.json(record))
