"""Sessionization: a session ends after a period of inactivity or when the client starts another.

The state of one user (a value in ``tables.sessions``) is a plain dict so it serializes as JSON:
``current`` (the open session) and ``recent`` (the last few closed ones, for the table view).
Events reach the stage from four topics, interleaved: an event older than the open session's
last event is folded into it rather than taken as a new session.
"""

from __future__ import annotations

from typing import Any

from app.models.dicts import CleanedDict

RECENT_KEPT = 5
ITEMS_KEPT = 50


def _new(event: CleanedDict, at_ms: int, wall_ms: int) -> dict[str, Any]:
    return {
        "session_id": event.get("session_id") or f"derived-{at_ms}",
        "started_ms": at_ms,
        "last_ms": at_ms,
        "seen_wall_ms": wall_ms,
        "device": event.get("device"),
        "events": 0,
        "viewed": [],
        "carted": [],
        "bought": [],
        "searches": 0,
    }


def summary(user_key: str, cur: dict[str, Any], reason: str) -> dict[str, Any]:
    """The SessionSummary record of a session."""
    from datetime import UTC, datetime

    return {
        "session_id": cur["session_id"],
        "user_key": user_key,
        "started_at": datetime.fromtimestamp(cur["started_ms"] / 1000, UTC),
        "ended_at": datetime.fromtimestamp(cur["last_ms"] / 1000, UTC),
        "duration_seconds": (cur["last_ms"] - cur["started_ms"]) / 1000,
        "events": cur["events"],
        "device": cur.get("device"),
        "viewed": list(cur["viewed"]),
        "carted": list(cur["carted"]),
        "bought": list(cur["bought"]),
        "searches": cur["searches"],
        "closed_reason": reason,
    }


def _add(items: list[str], item: str | None) -> None:
    if item and item not in items:
        items.append(item)
        del items[:-ITEMS_KEPT]


def apply_event(
    state: dict[str, Any],
    user_key: str,
    event: CleanedDict,
    *,
    at_ms: int,
    wall_ms: int,
    timeout_ms: int,
) -> dict[str, Any] | None:
    """Fold ``event`` into ``state``; return the summary of a session it closed, if any."""
    closed = None
    cur = state.get("current")
    session_id = event.get("session_id")
    if cur is not None:
        newer = at_ms > cur["last_ms"]
        idle = at_ms - cur["last_ms"] > timeout_ms
        other = bool(session_id) and session_id != cur["session_id"]
        if newer and (idle or other):
            closed = close(state, user_key, "inactivity" if idle else "new_session")
            cur = None
    if cur is None:
        cur = state["current"] = _new(event, at_ms, wall_ms)
    cur["events"] += 1
    cur["started_ms"] = min(cur["started_ms"], at_ms)
    cur["last_ms"] = max(cur["last_ms"], at_ms)
    cur["seen_wall_ms"] = wall_ms
    kind = event.get("event_type")
    if kind == "product_view":
        _add(cur["viewed"], event.get("product_id"))
    elif kind == "add_to_cart":
        _add(cur["carted"], event.get("product_id"))
    elif kind == "search":
        cur["searches"] += 1
    elif kind == "order":
        for item in event.get("items") or ():
            _add(cur["bought"], item.get("product_id"))
    return closed


def close(state: dict[str, Any], user_key: str, reason: str) -> dict[str, Any] | None:
    """Close the open session; keep its summary among the recent ones and return it."""
    cur = state.pop("current", None)
    if cur is None:
        return None
    done = summary(user_key, cur, reason)
    recent = state.setdefault("recent", [])
    recent.append({**done, "started_at": cur["started_ms"], "ended_at": cur["last_ms"]})
    del recent[:-RECENT_KEPT]
    return done


def idle(state: dict[str, Any], wall_ms: int, timeout_ms: int) -> bool:
    """True when the open session saw no event for ``timeout_ms`` of wall-clock time."""
    cur = state.get("current")
    return cur is not None and wall_ms - cur["seen_wall_ms"] > timeout_ms
