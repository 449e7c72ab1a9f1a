"""One engine per worker: generators, weights, rules from PostgreSQL, the catalog.

Generators keep their state in the worker: each worker learns co-visitation and popularity
from the users whose partitions it owns, and the learned models are retrained from the same
history on a schedule. Rules and feature flags are reloaded from PostgreSQL without a restart.

Two learned generators serve side by side, as in the offline evaluation (docs/eval.md):
``learned`` (EASE, retrained by the ``retrain-learned-model`` timer in ``agents/act.py``) and
``factors`` (iALS, the strongest single generator offline, with the settings chosen there),
which reads ``learned``'s user histories and is retrained by this runtime every
``FACTORS_RETRAIN_SECONDS``, in a thread like EASE's: never on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

from app.process import heap
from app.recommend.affinity import Affinity
from app.recommend.covisitation import Covisitation
from app.recommend.engine import Engine, Recommendation
from app.recommend.learned import Learned, LearnedModel
from app.recommend.model import Catalog, Context, Generator, Profile
from app.recommend.popularity import Popularity, Trending
from app.recommend.rule_store import RuleStore, RuleWatcher
from app.recommend.rules import RuleSet
from app.serving.prescriptions import PrescriptionLookup
from app.serving.vectors import LiveVectors

if TYPE_CHECKING:
    from app.catalog.read_model import ProductReadModel

log = logging.getLogger(__name__)

WEIGHTS = {"covisitation": 1.0, "learned": 1.0, "factors": 1.0, "affinity": 0.4,
           "popularity": 0.3, "trending": 0.1}  # fmt: skip
#: iALS settings chosen on MovieLens-100k's validation split (docs/eval.md); the confidence
#: power scales an observed cell's alpha by its item's popularity^p.
FACTORS_L2, FACTORS_ALPHA, FACTORS_K, FACTORS_CONFIDENCE_POWER = 5.0, 5.0, 128, 0.25
FACTORS_RETRAIN_SECONDS = 300.0
#: Fewer (user, item) pairs than this: no retrain (as for EASE in agents/act.py).
MIN_PAIRS = 50


class Runtime:
    def __init__(self) -> None:
        self.catalog = Catalog()
        self.popularity = Popularity(catalog=self.catalog)
        self.learned = Learned()
        self.factors = Learned(
            algorithm="ials", name="factors", l2=FACTORS_L2, alpha=FACTORS_ALPHA,
            factors=FACTORS_K, confidence_power=FACTORS_CONFIDENCE_POWER,
            history_from=self.learned,
        )  # fmt: skip
        self._factors_task: asyncio.Task[None] | None = None
        self.rules: RuleSet = RuleSet()
        generators: list[Generator] = [
            Covisitation(),
            self.popularity,
            Trending(self.popularity),
            Affinity(self.catalog),
            self.learned,
            self.factors,
        ]
        self.watcher: RuleWatcher | None = None
        self.engine = Engine(generators, WEIGHTS, self._current_rules, self.catalog)
        self.ready = asyncio.Event()
        self.vectors: LiveVectors | None = None
        self.prescriptions = PrescriptionLookup()

    def _current_rules(self) -> RuleSet:
        return self.watcher.current if self.watcher is not None else self.rules

    async def start_vectors(self, milvus: Any, prefix: str, dsn: str) -> None:
        """Product vectors and the live collections; the pipeline works on without them."""
        vectors = LiveVectors(milvus, prefix)
        try:
            await vectors.start(dsn)
        except Exception as err:
            log.warning("embeddings not started (Milvus or PostgreSQL unavailable): %s", err)
            return
        self.vectors = vectors
        heap.settle("product vectors")

    async def start(self, postgres: Any, products: ProductReadModel) -> None:
        # Rules and feature flags live in PostgreSQL; the watcher reloads them on change.
        self.watcher = RuleWatcher(RuleStore(postgres))
        self.watcher.start()

        try:
            await products.start(self.catalog)
        except Exception as err:  # the worker serves non-catalog lists until PostgreSQL is back
            log.warning("engine catalog not loaded: %s", err)
        heap.settle("engine catalog")
        if self._factors_task is None:
            self._factors_task = asyncio.create_task(self._retrain_factors_every())
        self.ready.set()

    async def retrain_factors(self) -> LearnedModel | None:
        """Retrain and serve the iALS generator (in a thread), when there is enough history."""
        if len(self.factors.snapshot()) < MIN_PAIRS:
            return None
        model = await self.factors.retrain()
        log.info("factors model %s promoted", model.version)
        return model

    async def _retrain_factors_every(self, seconds: float = FACTORS_RETRAIN_SECONDS) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await self.retrain_factors()
            except Exception:  # the previous version keeps serving
                log.exception("factors retrain failed")

    def recommend(
        self,
        user_key: str,
        *,
        profile: dict[str, Any] | None,
        session: dict[str, Any] | None,
        consent_personalization: bool,
        k: int = 10,
        context: str | None = None,
        weights: dict[str, float] | None = None,
        experiment: dict[str, str] | None = None,
        prescription: float | None = None,
    ) -> Recommendation:
        now = time.time()
        recent: list[tuple[str, float]] = []
        purchased: set[str] = set()
        prof = None
        if profile and consent_personalization:
            prof = Profile(
                category_affinity=dict(profile.get("category_affinity") or {}),
                brand_affinity=dict(profile.get("brand_affinity") or {}),
            )
            purchased = set(profile.get("purchased_items") or ())
            recent = [(i, now) for i in profile.get("recent_items") or ()]
        if session and consent_personalization:
            cur = session.get("current") or {}
            for item in [*cur.get("viewed", ()), *cur.get("carted", ())]:
                recent.append((item, cur.get("last_ms", now * 1000) / 1000))
        ctx = Context(
            user_key=user_key,
            recent_items=recent[-20:],
            purchased=purchased,
            profile=prof,
            consent_personalization=consent_personalization,
            context=context,
            now=now,
            prescription=prescription if consent_personalization else None,
        )
        return self.engine.recommend(ctx, k, weights=weights, experiment=experiment)


def to_record(
    rec: Recommendation, recommendation_id: str, trigger_event_id: str | None = None
) -> dict[str, Any]:
    """The Recommendation Avro contract's shape."""
    from datetime import UTC, datetime

    return {
        "recommendation_id": recommendation_id,
        "user_key": rec.user_key,
        "generated_at": datetime.fromtimestamp(rec.generated_at or time.time(), UTC),
        "context": rec.context,
        "items": [
            {
                "product_id": i.item_id,
                "score": float(i.score),
                "rank": i.rank,
                "contributions": {k: float(v) for k, v in i.contributions.items()},
                "explanation": i.explanation,
            }
            for i in rec.items
        ],
        "experiment_id": (rec.experiment or {}).get("experiment_id"),
        "variant": (rec.experiment or {}).get("variant"),
        "personalized": rec.personalized,
        "model_versions": {**rec.model_versions, "rules": rec.rules_version},
        "trigger_event_id": trigger_event_id,
    }
