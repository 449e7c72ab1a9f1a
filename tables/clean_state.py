"""Per-user state of the cleaning stage: recently seen event ids (de-duplication) and the
running statistics of that user's sessions (bot detection).

Keyed by the raw topic's message key (the user or anonymous id): a key's events all come from
one partition, and the agent makes one of them the current event before touching the key's
state, so the state lives in that partition's store and changelog (see
:func:`app.streaming.current.as_current_event`).
"""

from __future__ import annotations

from app.core import app

clean_state = app.Table(
    "clean-state",
    default=dict,
    key_type=bytes,
    help="Per-user de-duplication window and session statistics of the cleaning stage.",
)
