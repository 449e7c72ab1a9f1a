"""Behavioural profiles per pseudonymous user (affinities, price band, recent and bought items).

Keyed by ``user_key`` like the cleaned topics. Demographic data, preferences and prescriptions
do not live here: they are in PostgreSQL, encrypted (app/profiles/).
"""

from __future__ import annotations

from app.core import app

profiles_table = app.Table(
    "profiles", default=dict, key_type=bytes, help="user_key -> behavioural profile"
)
