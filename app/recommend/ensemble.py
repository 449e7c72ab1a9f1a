"""Blend the generators: normalize each one's scores, weight them, keep who contributed what.

Raw scores are not comparable (counts, cosines, regression outputs), so each generator's list is
normalized first, per request: ``max`` divides by the list's best score (negative scores become
0), ``rank`` gives ``1 / (1 + rank)``, ``minmax`` maps the list's lowest score to 0 and its best
to 1, ``zscore`` gives the score's distance above the list's mean in standard deviations (0 at
or below the mean). ``max`` keeps a generator whose scores bunch near its best (a factor model)
louder than one with a long tail (counts); ``minmax`` and ``zscore`` spread every list alike.
An item's score is the sum of ``weight x normalized`` over the generators that proposed it, and
:class:`Scored.contributions` holds each term, so the contributions sum to the score and the
largest one names the explanation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from app.recommend.errors import ConfigurationError
from app.recommend.model import Context, Generator

NORMALIZATIONS = ("max", "rank", "minmax", "zscore")


@dataclass
class Scored:
    item_id: str
    score: float
    contributions: dict[str, float] = field(default_factory=dict)
    explanation: str = ""

    @property
    def top_generator(self) -> str | None:
        if not self.contributions:
            return None
        return max(self.contributions, key=lambda g: self.contributions[g])


def normalize(scores: Mapping[str, float], how: str = "max") -> dict[str, float]:
    if not scores:
        return {}
    if how == "rank":
        ranked = sorted(scores, key=lambda i: scores[i], reverse=True)
        return {item: 1.0 / (1.0 + r) for r, item in enumerate(ranked)}
    if how in ("minmax", "zscore"):
        values = list(scores.values())
        lo, hi = min(values), max(values)
        if hi <= lo:
            return dict.fromkeys(scores, 1.0)
        if how == "minmax":
            return {item: (s - lo) / (hi - lo) for item, s in scores.items()}
        mean = sum(values) / len(values)
        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
        return {item: max(s - mean, 0.0) / sd for item, s in scores.items()}
    if how != "max":
        raise ConfigurationError(
            f"Unknown normalization {how!r}: choose one of {', '.join(NORMALIZATIONS)}"
        )
    top = max(scores.values())
    if top <= 0:
        return {}
    return {item: max(s, 0.0) / top for item, s in scores.items()}


def check_weights(weights: Mapping[str, float], names: set[str]) -> None:
    unknown = set(weights) - names
    if unknown:
        raise ConfigurationError(
            f"Weights name unknown generators {sorted(unknown)}; known: {sorted(names)}"
        )
    bad = {g: w for g, w in weights.items() if not w >= 0}
    if bad:
        raise ConfigurationError(f"Weights must be ≥ 0, got {bad}; use 0 to switch one off")


def blend(
    ctx: Context,
    generators: Mapping[str, Generator],
    weights: Mapping[str, float],
    depth: int,
    normalization: str = "max",
) -> tuple[list[Scored], set[str]]:
    """The blended candidates (best first) and the names of the generators that answered."""
    out: dict[str, Scored] = {}
    answered: set[str] = set()
    for name, gen in generators.items():
        w = weights.get(name, 0.0)
        if w <= 0:
            continue
        if gen.personal and not ctx.consent_personalization:
            continue
        raw = gen.candidates(ctx, depth)
        if not raw:
            continue
        answered.add(name)
        for item, s in normalize(raw, normalization).items():
            if s <= 0 or item in ctx.seen:
                continue
            row = out.get(item)
            if row is None:
                row = out[item] = Scored(item, 0.0)
            row.contributions[name] = w * s
            row.score += w * s
    ranked = sorted(out.values(), key=lambda r: (-r.score, r.item_id))
    return ranked, answered


def explain(ctx: Context, row: Scored, generators: Mapping[str, Generator]) -> str:
    """A readable reason from the top contributor (and the runner-up when it is close)."""
    names = sorted(row.contributions, key=lambda g: row.contributions[g], reverse=True)
    if not names:
        return row.explanation or "recommended"
    parts = [generators[names[0]].explain(ctx, row.item_id)]
    if len(names) > 1 and row.contributions[names[1]] >= 0.5 * row.contributions[names[0]]:
        parts.append(generators[names[1]].explain(ctx, row.item_id))
    return "; ".join(parts)
