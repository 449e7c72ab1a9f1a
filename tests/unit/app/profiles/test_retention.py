from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.profiles.errors import ProfileError
from app.profiles.retention import DEFAULTS, Period, RetentionPolicy

NOW = datetime(2025, 3, 31, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("period", "now", "cutoff"),
    [
        ("365d", NOW, datetime(2024, 3, 31, 12, 0, tzinfo=UTC)),
        ("2w", NOW, datetime(2025, 3, 17, 12, 0, tzinfo=UTC)),
        ("1m", NOW, datetime(2025, 2, 28, 12, 0, tzinfo=UTC)),
        ("3y", NOW, datetime(2022, 3, 31, 12, 0, tzinfo=UTC)),
        ("1y", datetime(2024, 2, 29, tzinfo=UTC), datetime(2023, 2, 28, tzinfo=UTC)),
        ("4y", datetime(2024, 2, 29, tzinfo=UTC), datetime(2020, 2, 29, tzinfo=UTC)),
        ("13m", datetime(2025, 1, 15, tzinfo=UTC), datetime(2023, 12, 15, tzinfo=UTC)),
    ],
)
def test_cutoffs_in_calendar_terms(period: str, now: datetime, cutoff: datetime) -> None:
    assert Period.parse(period).before(now) == cutoff


def test_defaults_and_overrides() -> None:
    assert {k: str(v) for k, v in RetentionPolicy().periods.items()} == DEFAULTS
    policy = RetentionPolicy.parse("access_log=30d, inactive_profiles=3y")
    assert str(policy.periods["access_log"]) == "30d"
    assert str(policy.periods["service_history"]) == "3y"
    assert policy.cutoffs(NOW)["inactive_profiles"] == datetime(2022, 3, 31, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("spec", "match"),
    [("access_log=0d", "invalid"), ("access_log=5h", "invalid"), ("photos=1y", "class among")],
)
def test_bad_specs(spec: str, match: str) -> None:
    with pytest.raises(ProfileError, match=match):
        RetentionPolicy.parse(spec)
