"""The learned model's versions on this worker (role admin): retrain now, promote, roll back.

``POST /v1/models/learned/retrain`` trains a new version from the history this worker has seen
(off the event loop) and serves it; ``POST /v1/models/learned/rollback`` serves the previous
one again; ``GET /v1/models/learned`` lists the kept versions and the live one.
"""

from __future__ import annotations

from faust.web import Request, Response

from app.core import app
from app.errors import HeadwaterError
from app.web.base import ApiView


class ModelError(HeadwaterError):
    http_status = 409


def _state() -> dict[str, object]:
    learned = app.components.engine.learned
    return {"live": learned.version, "versions": list(learned.versions)}


@app.page("/v1/models/learned")
class LearnedModel(ApiView):
    async def get(self, request: Request) -> Response:
        await self.require(request, "analyst")
        return self.json(_state())


@app.page("/v1/models/learned/retrain")
class Retrain(ApiView):
    async def post(self, request: Request) -> Response:
        await self.require(request, "admin")
        if not app.components.engine.learned.snapshot():
            raise ModelError("No interactions seen yet on this worker: nothing to train on")
        model = await app.components.engine.learned.retrain()
        return self.json({**_state(), "trained": model.version}, status=201)


@app.page("/v1/models/learned/rollback")
class Rollback(ApiView):
    async def post(self, request: Request) -> Response:
        await self.require(request, "admin")
        try:
            model = app.components.engine.learned.rollback()
        except HeadwaterError as err:
            raise ModelError(str(err)) from err
        return self.json({**_state(), "rolled_back_to": model.version})
