"""Per-user state of the cleaning stage: recently seen event ids (de-duplication) and the
running statistics of that user's sessions (bot detection).

Keyed by the raw topic's message key (the user or anonymous id) and partitioned like it
(``use_partitioner``), so each key's state lives in the changelog partition that its events
come from, whichever batch the write happens in.
"""

from __future__ import annotations

from app.core import app

clean_state = app.Table(
    "clean-state",
    default=dict,
    key_type=bytes,
    partitions=None,
    use_partitioner=True,
    help="Per-user de-duplication window and session statistics of the cleaning stage.",
)
