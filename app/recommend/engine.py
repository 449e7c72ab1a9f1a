"""The engine: generators + weights + rules + catalog → a ranked, explained list.

One :class:`Engine` per worker. :meth:`Engine.observe` feeds every generator (online counts,
histories); :meth:`Engine.recommend` is the serving path (no I/O, no blocking work: the p99
budget is 10 ms). Consent: without personalization consent only non-personal generators run and
profile-based rules are skipped; a user with no history gets the non-personal list and
``personalized`` is False.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from app.recommend.ensemble import Scored, blend, check_weights, explain
from app.recommend.errors import ConfigurationError
from app.recommend.model import Catalog, Context, Generator, Interaction
from app.recommend.rules import RuleSet, apply

#: How many candidates each generator proposes per requested item (rules remove some).
OVERFETCH = 5


@dataclass(frozen=True)
class RecommendedItem:
    item_id: str
    score: float
    rank: int
    contributions: dict[str, float]
    explanation: str


@dataclass(frozen=True)
class Recommendation:
    user_key: str
    items: list[RecommendedItem]
    personalized: bool
    model_versions: dict[str, str]
    rules_version: str
    context: str | None = None
    generated_at: float = 0.0
    #: {"experiment_id": ..., "variant": ...} when an experiment chose weights or rules.
    experiment: dict[str, str] | None = field(default=None)

    @property
    def item_ids(self) -> list[str]:
        return [i.item_id for i in self.items]


class Engine:
    def __init__(
        self,
        generators: Iterable[Generator],
        weights: Mapping[str, float],
        rules: RuleSet | Callable[[], RuleSet],
        catalog: Catalog,
        *,
        normalization: str = "max",
    ) -> None:
        self.generators: dict[str, Generator] = {}
        for g in generators:
            if g.name in self.generators:
                raise ConfigurationError(
                    f"Two generators are named {g.name!r}; give each a distinct name"
                )
            self.generators[g.name] = g
        check_weights(weights, set(self.generators))
        self.weights = dict(weights)
        self._rules = rules
        self.catalog = catalog
        self.normalization = normalization

    @property
    def rules(self) -> RuleSet:
        return self._rules() if callable(self._rules) else self._rules

    def observe(self, interactions: Sequence[Interaction]) -> None:
        for g in self.generators.values():
            g.update(interactions)

    def model_versions(self) -> dict[str, str]:
        out = {}
        for name, g in self.generators.items():
            v = getattr(g, "version", None)
            if isinstance(v, str):
                out[name] = v
        return out

    def recommend(
        self,
        ctx: Context,
        k: int = 10,
        *,
        weights: Mapping[str, float] | None = None,
        rules: RuleSet | None = None,
        experiment: dict[str, str] | None = None,
    ) -> Recommendation:
        if k <= 0:
            raise ConfigurationError(f"k must be a positive count of items, got {k}")
        w = self.weights if weights is None else weights
        if weights is not None:
            check_weights(weights, set(self.generators))
        rs = self.rules if rules is None else rules
        depth = k * OVERFETCH + len(rs.pinned)
        ranked, answered = blend(ctx, self.generators, w, depth, self.normalization)
        final = apply(rs, ctx, ranked, self.catalog, k)
        personal = any(self.generators[g].personal for g in answered)
        items = [
            RecommendedItem(
                item_id=r.item_id,
                score=r.score,
                rank=n,
                contributions=dict(r.contributions),
                explanation=explain(ctx, r, self.generators),
            )
            for n, r in enumerate(final, start=1)
        ]
        return Recommendation(
            user_key=ctx.user_key,
            items=items,
            personalized=personal and ctx.consent_personalization,
            model_versions=self.model_versions(),
            rules_version=f"{rs.name}@{rs.version}",
            context=ctx.context,
            generated_at=ctx.now,
            experiment=experiment,
        )


__all__ = ["Engine", "Recommendation", "RecommendedItem", "Scored"]
