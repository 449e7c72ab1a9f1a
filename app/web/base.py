"""The base of every Headwater view: errors become JSON with a status, never a bare 500.

Faust turns its own ``WebError``s into responses; this adds our exceptions: an invalid input
(any :class:`HeadwaterError` that is not retriable) answers 400 unless it names another
status, an unavailable service answers 503.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from faust.web import Request, Response, View
from faust.web.exceptions import WebError

from app.auth import Principal
from app.errors import HeadwaterError, ServiceUnavailable

log = logging.getLogger(__name__)


async def require(view: View, request: Request, *roles: str) -> Principal:
    """The caller's principal if its key holds one of ``roles`` (401/403 otherwise), checked by
    the worker's authenticator (``app.components.authenticator``)."""
    authenticator = view.app.components.authenticator  # type: ignore[attr-defined]
    return await authenticator.require(request, *roles)  # type: ignore[no-any-return]


class ApiView(View):
    async def require(self, request: Request, *roles: str) -> Principal:
        """:func:`require` for this view."""
        return await require(self, request, *roles)

    async def dispatch(self, request: Any) -> Any:
        try:
            return await super().dispatch(request)
        except ServiceUnavailable as err:
            return self.json({"error": str(err), "service": err.service}, status=503)
        except HeadwaterError as err:
            status = int(getattr(err, "http_status", 400))
            return self.json({"error": str(err)}, status=status)
        except Exception:
            log.exception("Unhandled error in %s %s", request.method, request.path)
            return self.json({"error": "internal error; the worker logged the details"}, status=500)

    async def on_request_error(self, request: Request, exc: WebError) -> Response:
        return self.json({"error": exc.detail}, status=exc.code)

    async def read_json(self, request: Request, max_bytes: int) -> Any:
        """The request body as JSON; 413 when larger than ``max_bytes``, 400 when malformed."""
        length = request.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) > max_bytes:
            raise PayloadTooLarge(f"Request body is {length} bytes; the limit is {max_bytes}")
        body = await request.read()
        if len(body) > max_bytes:
            raise PayloadTooLarge(f"Request body exceeds the limit of {max_bytes} bytes")
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError as err:
            raise BadRequest(f"Request body is not valid JSON: {err}") from err


class BadRequest(WebError):
    code = 400
    detail = "Bad request."


class PayloadTooLarge(WebError):
    code = 413
    detail = "Request body too large."
