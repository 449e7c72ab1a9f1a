"""``GET /metrics``: Prometheus text format."""

from __future__ import annotations

from faust.web import Request, Response, View
from prometheus_client import CONTENT_TYPE_LATEST

from app.core import app
from app.metrics import exposition


@app.page("/metrics")
class Metrics(View):
    async def get(self, request: Request) -> Response:
        return self.bytes(exposition(), content_type=CONTENT_TYPE_LATEST.split(";")[0])
