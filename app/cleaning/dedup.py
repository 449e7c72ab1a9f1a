"""De-duplication by event id within a window, on the per-user state."""

from __future__ import annotations

from typing import Any


def seen_before(state: dict[str, Any], event_id: str, at_ms: int, window_ms: int) -> bool:
    """True when ``event_id`` was seen within the window; records it otherwise.

    Entries older than the window are pruned here, so the state stays bounded by the number of
    events one user sends per window.
    """
    seen: dict[str, int] = state.setdefault("seen", {})
    first = seen.get(event_id)
    if first is not None and abs(at_ms - first) <= window_ms:
        return True
    seen[event_id] = at_ms
    if len(seen) > 64:
        horizon = at_ms - window_ms
        for key in [k for k, t in seen.items() if t < horizon]:
            del seen[key]
    return False
