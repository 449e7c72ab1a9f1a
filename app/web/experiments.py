"""A/B experiment endpoints (see app/recommend/experiments.py).

POST /v1/experiments                 (admin)          create from a JSON definition
GET  /v1/experiments/{id}/report     (analyst, admin) per-variant figures, uplift, mSPRT
POST /v1/experiments/{id}/stop       (admin)          stop and serve control to everyone
"""

from __future__ import annotations

from faust.web import Request, Response

from app.core import app
from app.recommend.errors import ExperimentError
from app.recommend.experiments import Experiment, report
from app.recommend.experiments_pg import PostgresExperimentStore
from app.web.base import ApiView, BadRequest

MAX_BODY = 64 * 1024


def _store() -> PostgresExperimentStore:
    return PostgresExperimentStore(app.components.postgres)


@app.page("/v1/experiments")
class ExperimentsView(ApiView):
    async def post(self, request: Request) -> Response:
        await self.require(request, "admin")
        body = await self.read_json(request, MAX_BODY)
        if not isinstance(body, dict):
            raise BadRequest("Body must be a JSON object defining one experiment")
        experiment = Experiment.from_dict({**body, "status": "running"})
        await _store().create(experiment)
        return self.json(experiment.to_dict(), status=201)


@app.page("/v1/experiments/{experiment_id}/report")
class ExperimentReport(ApiView):
    async def get(self, request: Request, experiment_id: str) -> Response:
        await self.require(request, "analyst")
        return self.json(await report(_store(), experiment_id))


@app.page("/v1/experiments/{experiment_id}/stop")
class ExperimentStop(ApiView):
    async def post(self, request: Request, experiment_id: str) -> Response:
        await self.require(request, "admin")
        reason = "stopped through the API"
        if request.headers.get("Content-Length", "0") not in ("", "0"):
            body = await self.read_json(request, MAX_BODY)
            if isinstance(body, dict) and isinstance(body.get("reason"), str):
                reason = body["reason"]
        try:
            stopped = await _store().stop(experiment_id, reason)
        except ExperimentError:
            raise
        return self.json(stopped.to_dict())
