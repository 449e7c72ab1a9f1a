"""The Confluent Schema Registry REST API over :class:`~registry.service.Registry`.

Every answer, errors included, is JSON with the content type
``application/vnd.schemaregistry.v1+json``. Malformed input is refused by the handlers with a
:class:`~registry.errors.RegistryError` (4xx); the middleware's 500 is only for real bugs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from registry import errors
from registry.compat import Level
from registry.service import Registry
from registry.store import Version

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"
REGISTRY: web.AppKey[Registry] = web.AppKey("registry", Registry)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def reply(body: Any, status: int = 200) -> web.Response:
    return web.Response(body=json.dumps(body).encode(), status=status, content_type=CONTENT_TYPE)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except errors.RegistryError as err:
        if err.status >= 500:
            log.warning("%s %s: %s", request.method, request.path, err.message)
        return reply(err.body(), err.status)
    except web.HTTPException as err:
        # Unknown paths and methods: aiohttp's 404/405, but with a Confluent-style body.
        return reply({"error_code": err.status, "message": err.reason}, err.status)
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return reply({"error_code": 500, "message": "Internal server error; see the log"}, 500)


# ---------------------------------------------------------------------- request helpers
def _registry(request: web.Request) -> Registry:
    return request.app[REGISTRY]


def _flag(request: web.Request, name: str) -> bool:
    return request.query.get(name, "false").strip().lower() == "true"


async def _body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    try:
        body = json.loads(raw) if raw.strip() else None
    except (ValueError, UnicodeDecodeError) as err:
        raise errors.bad_request(f"Request body is not valid JSON: {err}") from err
    if not isinstance(body, dict):
        raise errors.RegistryError(
            422, 422, 'Request body must be a JSON object such as {"schema": "..."}'
        )
    return body


async def _schema_body(request: web.Request) -> tuple[str, object, object]:
    body = await _body(request)
    schema = body.get("schema")
    if not isinstance(schema, str) or not schema.strip():
        raise errors.invalid_schema(
            'the request body needs a "schema" field holding the schema as a JSON string'
        )
    return schema, body.get("schemaType"), body.get("references")


def _version(v: Version) -> dict[str, Any]:
    return {"subject": v.subject, "version": v.version, "id": v.schema_id, "schema": v.schema}


# ---------------------------------------------------------------------- handlers
async def root(request: web.Request) -> web.Response:
    return reply({})


async def mode(request: web.Request) -> web.Response:
    return reply({"mode": "READWRITE"})


async def schema_types(request: web.Request) -> web.Response:
    return reply(["AVRO"])


async def list_subjects(request: web.Request) -> web.Response:
    return reply(_registry(request).subjects(deleted=_flag(request, "deleted")))


async def register(request: web.Request) -> web.Response:
    schema, schema_type, references = await _schema_body(request)
    subject = request.match_info["subject"]
    schema_id = await _registry(request).register(subject, schema, schema_type, references)
    return reply({"id": schema_id})


async def lookup(request: web.Request) -> web.Response:
    schema, schema_type, _references = await _schema_body(request)
    found = _registry(request).lookup(
        request.match_info["subject"], schema, schema_type, deleted=_flag(request, "deleted")
    )
    return reply(_version(found))


async def list_versions(request: web.Request) -> web.Response:
    subject = request.match_info["subject"]
    return reply(_registry(request).versions(subject, deleted=_flag(request, "deleted")))


async def get_version(request: web.Request) -> web.Response:
    found = _registry(request).get_version(
        request.match_info["subject"],
        request.match_info["version"],
        deleted=_flag(request, "deleted"),
    )
    return reply(_version(found))


async def get_version_schema(request: web.Request) -> web.Response:
    found = _registry(request).get_version(
        request.match_info["subject"],
        request.match_info["version"],
        deleted=_flag(request, "deleted"),
    )
    # The raw schema document, not a JSON string holding it: what Confluent returns.
    return web.Response(text=found.schema, content_type=CONTENT_TYPE)


async def referenced_by(request: web.Request) -> web.Response:
    _registry(request).get_version(request.match_info["subject"], request.match_info["version"])
    return reply([])  # references are not supported, so nothing can refer to a version


async def delete_subject(request: web.Request) -> web.Response:
    deleted = await _registry(request).delete_subject(
        request.match_info["subject"], permanent=_flag(request, "permanent")
    )
    return reply(deleted)


async def delete_version(request: web.Request) -> web.Response:
    number = await _registry(request).delete_version(
        request.match_info["subject"],
        request.match_info["version"],
        permanent=_flag(request, "permanent"),
    )
    return reply(number)


async def schema_by_id(request: web.Request) -> web.Response:
    return reply({"schema": _registry(request).schema_by_id(request.match_info["id"])})


async def schema_id_versions(request: web.Request) -> web.Response:
    found = _registry(request).id_versions(
        request.match_info["id"], deleted=_flag(request, "deleted")
    )
    return reply([{"subject": v.subject, "version": v.version} for v in found])


async def schema_id_subjects(request: web.Request) -> web.Response:
    found = _registry(request).id_versions(
        request.match_info["id"], deleted=_flag(request, "deleted")
    )
    return reply(sorted({v.subject for v in found}))


async def get_global_config(request: web.Request) -> web.Response:
    return reply({"compatibilityLevel": _registry(request).global_level().value})


async def _level_from_body(request: web.Request) -> object:
    body = await _body(request)
    if "compatibility" not in body:
        raise errors.invalid_level(None)
    return body["compatibility"]


async def put_global_config(request: web.Request) -> web.Response:
    level = await _registry(request).set_level(None, await _level_from_body(request))
    return reply({"compatibility": level.value})


async def get_subject_config(request: web.Request) -> web.Response:
    level = _registry(request).subject_level(
        request.match_info["subject"], default_to_global=_flag(request, "defaultToGlobal")
    )
    return reply({"compatibilityLevel": level.value})


async def put_subject_config(request: web.Request) -> web.Response:
    level: Level = await _registry(request).set_level(
        request.match_info["subject"], await _level_from_body(request)
    )
    return reply({"compatibility": level.value})


async def delete_subject_config(request: web.Request) -> web.Response:
    level = await _registry(request).delete_subject_level(request.match_info["subject"])
    return reply({"compatibilityLevel": level.value})


async def test_compatibility(request: web.Request) -> web.Response:
    schema, schema_type, _references = await _schema_body(request)
    messages = _registry(request).test_compatibility(
        request.match_info["subject"], request.match_info.get("version"), schema, schema_type
    )
    body: dict[str, Any] = {"is_compatible": not messages}
    if _flag(request, "verbose"):
        body["messages"] = messages
    return reply(body)


def make_app(registry: Registry) -> web.Application:
    app = web.Application(middlewares=[error_middleware], client_max_size=16 * 1024 * 1024)
    app[REGISTRY] = registry
    s, v = "/subjects/{subject}", "/subjects/{subject}/versions/{version}"
    app.router.add_get("/", root)
    app.router.add_get("/mode", mode)
    app.router.add_get("/schemas/types", schema_types)
    app.router.add_get("/subjects", list_subjects)
    app.router.add_post(s, lookup)
    app.router.add_delete(s, delete_subject)
    app.router.add_get(f"{s}/versions", list_versions)
    app.router.add_post(f"{s}/versions", register)
    app.router.add_get(v, get_version)
    app.router.add_delete(v, delete_version)
    app.router.add_get(f"{v}/schema", get_version_schema)
    app.router.add_get(f"{v}/referencedby", referenced_by)
    app.router.add_get("/schemas/ids/{id}", schema_by_id)
    app.router.add_get("/schemas/ids/{id}/versions", schema_id_versions)
    app.router.add_get("/schemas/ids/{id}/subjects", schema_id_subjects)
    # python-schema-registry-client asks for "config/" when no subject is given.
    for path in ("/config", "/config/"):
        app.router.add_get(path, get_global_config)
        app.router.add_put(path, put_global_config)
    app.router.add_get("/config/{subject}", get_subject_config)
    app.router.add_put("/config/{subject}", put_subject_config)
    app.router.add_delete("/config/{subject}", delete_subject_config)
    app.router.add_post(f"/compatibility{s}/versions", test_compatibility)
    app.router.add_post(f"/compatibility{v}", test_compatibility)
    return app
