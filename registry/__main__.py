"""``python -m registry --host 127.0.0.1 --port 8081 [--bootstrap H:P] [--topic _schemas]``.

The HTTP port opens only after the ``_schemas`` topic has been read to the end, so anything that
waits for ``GET /subjects`` to answer (scripts/stack.sh, tests) sees the full state.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from aiohttp import web

from app.errors import HeadwaterError
from app.settings import get_settings
from registry.log import KafkaLog
from registry.server import make_app
from registry.service import Registry
from registry.store import Store

log = logging.getLogger("registry")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    settings = get_settings()
    p = argparse.ArgumentParser(prog="python -m registry", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8081)
    p.add_argument("--bootstrap", default=settings.kafka_bootstrap, help="Kafka host:port,...")
    p.add_argument("--topic", default="_schemas", help="compacted topic holding the state")
    p.add_argument(
        "--replication-factor",
        type=int,
        default=settings.topic_replication_factor,
        help="for the topic when it is created (TOPIC_REPLICATION_FACTOR)",
    )
    p.add_argument("--timeout", type=float, default=30.0, help="seconds per Kafka operation")
    p.add_argument("--log-level", default="INFO")
    return p.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    store = Store()
    kafka = KafkaLog(
        store,
        args.bootstrap,
        args.topic,
        replication_factor=args.replication_factor,
        timeout=args.timeout,
    )
    runner: web.AppRunner | None = None
    # Cancel the whole task on a signal, so a stop during the (possibly long) start-up works.
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, task.cancel)
    try:
        await kafka.start()
        runner = web.AppRunner(make_app(Registry(store, kafka)), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, args.host, args.port).start()
        log.info("schema registry on http://%s:%d (topic %s)", args.host, args.port, args.topic)
        await asyncio.Event().wait()
    finally:
        if runner is not None:
            await runner.cleanup()
        await kafka.stop()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        asyncio.run(serve(args))
    except HeadwaterError as err:
        log.error("%s", err)
        return 1
    except (asyncio.CancelledError, KeyboardInterrupt):
        log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
