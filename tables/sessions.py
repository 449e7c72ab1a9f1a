"""Sessions per pseudonymous user: the open session and the last few closed ones.

Keyed by ``user_key``, the key of the cleaned topics, so a user's events and session state
share a partition. RocksDB-backed with a changelog: a restarted worker recovers it.
"""

from __future__ import annotations

from app.core import app

sessions_table = app.Table(
    "sessions", default=dict, key_type=bytes, help="user_key -> open and recent sessions"
)
