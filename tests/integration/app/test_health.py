"""GET /health on a real worker: 200 with every service up, 503 naming PostgreSQL once it stops."""

from __future__ import annotations

from tests.integration.harness import Worker, wait_until
from tests.integration.pgcluster import PgCluster


def test_health_reports_each_service(worker_factory: type[Worker]) -> None:
    worker = worker_factory().start()
    body = wait_until(
        "GET /health answering 200",
        lambda: (r := worker.get("/health")).status_code == 200 and r.json(),
        timeout=30,
    )
    assert body["status"] == "up"
    assert set(body["services"]) == {"kafka", "postgres", "milvus"}
    assert all(s["status"] == "up" for s in body["services"].values())


def test_stopping_postgres_gives_503_and_the_worker_keeps_running(
    worker_factory: type[Worker],
) -> None:
    pg = PgCluster().start()
    try:
        worker = worker_factory(DATABASE_URL=pg.dsn).start()
        wait_until(
            "health 200 with the private database",
            lambda: worker.get("/health").status_code == 200,
            timeout=30,
        )
        pg.stop()
        down = wait_until(
            "health 503 naming postgres",
            lambda: (r := worker.get("/health")).status_code == 503 and r.json(),
            timeout=30,
        )
        assert down["down"] == ["postgres"], down
        assert down["services"]["postgres"]["detail"]
        assert worker.alive(), worker.log_tail()
        pg.start()
        wait_until(
            "health 200 again after PostgreSQL restarts",
            lambda: worker.get("/health").status_code == 200,
            timeout=30,
        )
    finally:
        pg.destroy()
