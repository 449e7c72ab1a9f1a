"""Bot detection: rule signals per session, combined with a scikit-learn anomaly score.

Signals, each computed from a small per-session state kept in a table:

* a known bot or script user agent;
* the request rate over the session (events per minute);
* implausibly regular timing (coefficient of variation of the gaps between events);
* no asset loads: browsers running our tag send ``properties.js = "1"``; scrapers that fetch
  pages without running scripts never do.

The anomaly model (an IsolationForest) is fitted on human-like sessions and scores how far a
session's features lie from them; the final score blends both so that neither a single rule
nor the model alone decides.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from app.cleaning.iforest import CompiledForest

BOT_UA = re.compile(
    r"bot|crawl|spider|slurp|headless|phantom|python-requests|curl/|wget|scrapy|httpclient"
    r"|java/|go-http-client|node-fetch|axios",
    re.IGNORECASE,
)


@lru_cache(maxsize=8192)
def is_bot_user_agent(user_agent: str) -> bool:
    """``BOT_UA`` matches; cached, since a few hundred agents make up most traffic and the
    case-insensitive alternation would otherwise run on every clickstream event (measurements:
    docs/benchmarks.md, Design decisions, app/cleaning/bots.py)."""
    return BOT_UA.search(user_agent) is not None


@dataclass
class SessionStats:
    """Running per-session state (Welford's online mean and variance of gaps).

    Fed by clickstream events only: they are the pages a client fetches, in order on one
    topic. Session, auth and conversion events travel on other topics and arrive interleaved
    out of order, which would fake zero gaps; they are scored with the session's state.
    """

    count: int = 0
    first_ms: int = 0
    last_ms: int = 0
    gap_mean: float = 0.0
    gap_m2: float = 0.0
    js_seen: bool = False
    ua_bot: bool = False

    def update(self, at_ms: int, js: bool, ua_bot: bool) -> None:
        if self.count == 0:
            self.first_ms = at_ms
        else:
            self.first_ms = min(self.first_ms, at_ms)
            gap = max(0, at_ms - self.last_ms) / 1000.0
            n = self.count  # number of gaps after this one
            delta = gap - self.gap_mean
            self.gap_mean += delta / n
            self.gap_m2 += delta * (gap - self.gap_mean)
        self.last_ms = max(self.last_ms, at_ms)
        self.count += 1
        self.js_seen = self.js_seen or js
        self.ua_bot = self.ua_bot or ua_bot

    def as_list(self) -> list[Any]:
        return [
            self.count, self.first_ms, self.last_ms, self.gap_mean, self.gap_m2,
            self.js_seen, self.ua_bot,
        ]  # fmt: skip

    @classmethod
    def from_list(cls, raw: list[Any] | None) -> SessionStats:
        return cls(*raw) if raw else cls()

    def features(self) -> list[float]:
        """[events/min, gap coefficient of variation, no-js flag, log event count]."""
        minutes = max((self.last_ms - self.first_ms) / 60000.0, 1 / 60)
        rate = self.count / minutes if self.count > 1 else 0.0
        gaps = self.count - 1
        if gaps >= 2 and self.gap_mean > 0:
            cv = math.sqrt(self.gap_m2 / (gaps - 1)) / self.gap_mean
        else:
            cv = 1.0  # not enough evidence: look human
        return [rate, cv, 0.0 if self.js_seen else 1.0, math.log1p(self.count)]


def rule_score(stats: SessionStats) -> tuple[float, list[str]]:
    """A score in [0, 1] and the names of the signals that fired."""
    rate, cv, no_js, _ = stats.features()
    fired: list[str] = []
    score = 0.0
    if stats.ua_bot:
        fired.append("bot_user_agent")
        score += 1.0
    if stats.count >= 5 and rate > 40:
        fired.append("high_rate")
        score += 0.5
    if stats.count >= 6 and cv < 0.15:
        fired.append("regular_timing")
        score += 0.4
    if stats.count >= 4 and no_js:
        fired.append("no_asset_loads")
        score += 0.3
    return min(score, 1.0), fired


def human_training_features(n: int = 3000, seed: int = 11) -> np.ndarray:
    """Features of simulated human sessions: irregular gaps (log-normal), scripts running."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        stats = SessionStats()
        t = 0
        for _ in range(int(rng.integers(2, 30))):
            t += int(rng.lognormal(mean=9.6, sigma=0.9))  # ~15 s median think time
            stats.update(t, js=rng.random() > 0.02, ua_bot=False)
        rows.append(stats.features())
    return np.asarray(rows, dtype=float)


class AnomalyModel:
    """IsolationForest fitted on human sessions; ``score`` maps to [0, 1] (1 = unlike humans)."""

    def __init__(self, seed: int = 11) -> None:
        from sklearn.ensemble import IsolationForest

        train = human_training_features(seed=seed)
        self._forest = IsolationForest(n_estimators=100, contamination=0.02, random_state=seed)
        self._forest.fit(train)
        self._compiled = CompiledForest(self._forest)
        # Calibrate: the 98th percentile of human scores maps to 0, clearly odd sessions to 1.
        human = -self._forest.score_samples(train)
        self._lo = float(np.quantile(human, 0.98))
        self._hi = self._lo + 0.15

    def score(self, features: np.ndarray) -> np.ndarray:
        raw = -self._compiled.score_samples(features)
        return np.clip((raw - self._lo) / (self._hi - self._lo), 0.0, 1.0)


def blend(rule: float, anomaly: float) -> float:
    """Rules are precise, the model generalizes: a fired rule counts more than the model."""
    return min(1.0, 0.7 * rule + 0.5 * anomaly) if rule > 0 else 0.45 * anomaly
