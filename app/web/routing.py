"""Answer a keyed table read on the worker that owns the key.

Faust's ``@app.table_route`` has open bugs with several workers (faust-streaming #187, #514)
and answers 500 before the producer has metadata for the changelog topic. This does the same
job explicitly: ask the assignor which worker hosts the key's changelog partition; answer
locally when it is this one, else forward the request once (marked, so a stale assignment can
never bounce it back and forth) and relay the answer.
"""

from __future__ import annotations

import logging

import aiohttp
from faust.types import TableT
from faust.web import Request, Response, View
from yarl import URL

from app.core import app

log = logging.getLogger(__name__)
ROUTED_HEADER = "X-Headwater-Routed"


def owner_of(table: TableT, key: bytes) -> URL | None:
    """The owning worker's URL, or None when it is this worker or not yet known."""
    try:
        url = app.router.key_store(table.name, key)
    except KeyError:
        return None
    me = URL(str(app.conf.canonical_url))
    if (url.host, url.port) == (me.host, me.port):
        return None
    return url


async def forward(view: View, request: Request, table: TableT, key: bytes) -> Response | None:
    """The owner's response, or None to answer locally."""
    if request.headers.get(ROUTED_HEADER):
        return None
    owner = owner_of(table, key)
    if owner is None:
        return None
    target = URL(str(request.url)).with_host(str(owner.host)).with_port(owner.port)
    headers = {
        k: v for k, v in request.headers.items() if k.lower() in ("authorization", "x-api-key")
    }
    headers[ROUTED_HEADER] = "1"
    try:
        timeout = aiohttp.ClientTimeout(total=5)
        async with (
            aiohttp.ClientSession(timeout=timeout) as http,
            http.get(target, headers=headers) as resp,
        ):
            body = await resp.read()
            out = view.bytes(body, status=resp.status, content_type="application/json")
            if "X-Served-By" in resp.headers:
                out.headers["X-Served-By"] = resp.headers["X-Served-By"]  # type: ignore[attr-defined]
            return out
    except (aiohttp.ClientError, TimeoutError) as err:
        log.warning("forwarding %s to %s failed: %s", request.url, owner, err)
        return view.json(
            {"error": f"the worker owning this key ({owner}) did not answer; retry"}, status=503
        )
