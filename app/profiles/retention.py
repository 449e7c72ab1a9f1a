"""Retention periods per data class and the sweep that enforces them.

================== ========= ===========================================================
data class         default   what the sweep removes
================== ========= ===========================================================
access_log         365d      access-log rows older than the period
service_history    3y        service records that happened before the period
inactive_profiles  2y        users inactive for the period: erased from every GDPR store
================== ========= ===========================================================

Periods are ``<n>d``, ``<n>w``, ``<n>m`` (calendar months) or ``<n>y`` (calendar years; 29
February minus a year is 28 February). Override them with ``HEADWATER_RETENTION``, e.g.
``access_log=180d,inactive_profiles=3y``. Every run is recorded in ``retention_runs``.
"""

from __future__ import annotations

import calendar
import os
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.profiles.db import MAINTENANCE, Database
from app.profiles.errors import ProfileError

ENV = "HEADWATER_RETENTION"
DEFAULTS = {"access_log": "365d", "service_history": "3y", "inactive_profiles": "2y"}
_PERIOD = re.compile(r"^(\d{1,5})([dwmy])$")


@dataclass(frozen=True)
class Period:
    count: int
    unit: str

    @classmethod
    def parse(cls, text: str) -> Period:
        m = _PERIOD.match(text.strip())
        if m is None or int(m[1]) == 0:
            raise ProfileError(
                f"Retention period {text!r} is invalid; write a positive count and a unit d, w, "
                "m or y (for example 365d or 3y)"
            )
        return cls(int(m[1]), m[2])

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"

    def before(self, now: datetime) -> datetime:
        """The cut-off: ``now`` minus this period, in calendar terms for months and years."""
        if self.unit in ("d", "w"):
            return now - timedelta(days=self.count * (7 if self.unit == "w" else 1))
        months = self.count * (12 if self.unit == "y" else 1)
        total = now.year * 12 + (now.month - 1) - months
        year, month = divmod(total, 12)
        month += 1
        day = min(now.day, calendar.monthrange(year, month)[1])
        return now.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class RetentionPolicy:
    periods: Mapping[str, Period] = field(
        default_factory=lambda: {k: Period.parse(v) for k, v in DEFAULTS.items()}
    )

    @classmethod
    def parse(cls, spec: str) -> RetentionPolicy:
        """``class=period,...`` over the defaults."""
        periods = {k: Period.parse(v) for k, v in DEFAULTS.items()}
        for part in (p.strip() for p in spec.split(",")):
            if not part:
                continue
            name, sep, value = part.partition("=")
            if not sep or name.strip() not in DEFAULTS:
                raise ProfileError(
                    f"{ENV}: {part!r} is not 'class=period' with a class among "
                    f"{', '.join(DEFAULTS)}"
                )
            periods[name.strip()] = Period.parse(value)
        return cls(periods)

    @classmethod
    def from_env(cls) -> RetentionPolicy:
        return cls.parse(os.environ.get(ENV, ""))

    def cutoffs(self, now: datetime) -> dict[str, datetime]:
        return {name: p.before(now) for name, p in self.periods.items()}


EraseUser = Callable[[str], Awaitable[object]]


async def sweep(
    db: Database,
    policy: RetentionPolicy,
    now: datetime,
    *,
    erase_user: EraseUser | None = None,
    dry_run: bool = False,
) -> dict[str, int]:
    """Remove what is past its period; returns the count per data class.

    ``erase_user`` erases one inactive user from every store (the GDPR orchestrator); without
    it inactive users are only counted, because deleting them from PostgreSQL alone would leave
    their vectors and table state behind.
    """
    cut = policy.cutoffs(now)
    removed: dict[str, int] = {}
    async with db.acquire() as con:
        if dry_run:
            removed["access_log"] = await con.fetchval(
                "SELECT count(*) FROM access_log WHERE at < $1", cut["access_log"]
            )
            removed["service_history"] = await con.fetchval(
                "SELECT count(*) FROM service_history WHERE occurred_at < $1",
                cut["service_history"],
            )
        else:
            async with con.transaction():
                await con.execute(MAINTENANCE)
                status = await con.execute(
                    "DELETE FROM access_log WHERE at < $1", cut["access_log"]
                )
                removed["access_log"] = int(status.split()[-1])
            status = await con.execute(
                "DELETE FROM service_history WHERE occurred_at < $1", cut["service_history"]
            )
            removed["service_history"] = int(status.split()[-1])
        inactive = [
            r["user_key"]
            for r in await con.fetch(
                "SELECT user_key FROM user_profiles WHERE last_active_at < $1 ORDER BY user_key",
                cut["inactive_profiles"],
            )
        ]
    removed["inactive_profiles"] = len(inactive)
    if dry_run:
        return removed
    if erase_user is not None:
        for user_key in inactive:
            await erase_user(user_key)
    else:
        removed["inactive_profiles"] = 0
    async with db.acquire() as con:
        await con.executemany(
            "INSERT INTO retention_runs (ran_at, data_class, period, cutoff, removed) "
            "VALUES ($1, $2, $3, $4, $5)",
            [(now, k, str(policy.periods[k]), cut[k], n) for k, n in removed.items()],
        )
    return removed
