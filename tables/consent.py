"""Consent per pseudonymous user and purpose, read by every stage.

A GlobalTable: every worker holds all of it, because the stages that read it are keyed by
other ids than the consent topic. It is small (a few booleans per user who ever changed one).
Absent means granted by default for analytics and personalization, withheld for marketing.
"""

from __future__ import annotations

from app.core import app
from app.streaming.table_reads import read

DEFAULTS = {"analytics": True, "personalization": True, "marketing": False}

consent_table = app.GlobalTable(
    "consent",
    default=dict,
    help="user_key -> {purpose: granted}",
)


def consent_of(user_key: str) -> dict[str, bool]:
    stored = read(consent_table, user_key) or {}
    return {**DEFAULTS, **stored}
