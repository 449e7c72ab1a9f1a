"""Wait until a local-stack service really answers: ``wait_for.py SERVICE [--timeout S]``.

SERVICE is kafka, milvus, or an http(s) URL. Exit 0 when it answers, 1 with a message when the
timeout passes. Used by scripts/stack.sh and the demo.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
import urllib.request

from app.errors import ServiceUnavailable
from app.services.kafka import ping_kafka
from app.services.milvus import Milvus
from app.settings import get_settings


async def _once(service: str) -> None:
    s = get_settings()
    if service == "kafka":
        await ping_kafka(s.kafka_bootstrap, 3.0)
    elif service == "milvus":
        m = Milvus(s.milvus_uri, token=s.milvus_token)
        try:
            await m.ping(5.0)
        finally:
            m._executor.shutdown(wait=False)
    elif service.startswith("http"):

        def get() -> None:
            with urllib.request.urlopen(service, timeout=3) as r:
                r.read()

        try:
            await asyncio.to_thread(get)
        except OSError as err:
            raise ServiceUnavailable(service, str(err)) from err
    else:
        raise SystemExit(f"unknown service {service!r}: use kafka, milvus or an http URL")


async def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("service")
    p.add_argument("--timeout", type=float, default=60.0)
    args = p.parse_args()
    # aiokafka logs every refused connection at ERROR: expected while we wait, so keep it quiet.
    logging.basicConfig(level=logging.CRITICAL)
    deadline = time.monotonic() + args.timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            await _once(args.service)
            return 0
        except ServiceUnavailable as err:
            last = str(err)
        await asyncio.sleep(0.5)
    print(f"{args.service} did not answer within {args.timeout:.0f}s: {last}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
