"""``GET /health``: Kafka, PostgreSQL and Milvus status as JSON; 503 when one is down."""

from __future__ import annotations

from faust.web import Request, Response, View

from app.core import app, settings
from app.health import check_all
from app.services.kafka import ping_kafka


async def _kafka(timeout: float) -> str:
    brokers = await ping_kafka(settings.kafka_bootstrap, timeout)
    return f"{brokers} broker(s)"


@app.page("/health")
class Health(View):
    async def get(self, request: Request) -> Response:
        healthy, body = await check_all(
            {
                "kafka": _kafka,
                "postgres": app.components.postgres.ping,
                "milvus": app.components.milvus.ping,
            },
            settings.health_timeout,
        )
        body["worker"] = {"id": app.conf.id, "web_port": app.conf.web_port}
        return self.json(body, status=200 if healthy else 503)
