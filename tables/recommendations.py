"""The latest recommendation record per pseudonymous user (what GET /v1/recommendations serves)."""

from __future__ import annotations

from app.core import app

recommendations_table = app.Table(
    "recommendations", default=dict, key_type=bytes, help="user_key -> latest recommendation"
)
