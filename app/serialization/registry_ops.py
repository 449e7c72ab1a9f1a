"""Blocking operations on the registry for one contract: inspect, judge, register.

Shared by :func:`app.serialization.warmup.warm_up` (in a thread) and ``faust -A app schemas``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from schema_registry.client.errors import ClientError

from app.errors import ServiceUnavailable
from app.serialization.client import RegistryClient
from app.serialization.compatibility import Incompatibility, field_diff, incompatibilities
from app.serialization.errors import ContractError

DEFAULT_LEVEL = "BACKWARD"


def call(what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a client call, turning a network failure into ServiceUnavailable."""
    try:
        return fn(*args, **kwargs)
    except httpx.TransportError as err:
        raise ServiceUnavailable(
            "schema registry",
            f"{what}: {type(err).__name__}: {err}. Is SCHEMA_REGISTRY_URL right "
            "and the registry up (`scripts/stack.sh up registry`)?",
        ) from err


def compatibility_level(client: RegistryClient, subject: str) -> str:
    """The subject's level, else the global one, else the Confluent default (BACKWARD)."""
    for scope in (subject, None):
        try:
            level = call("read compatibility", client.get_compatibility, scope)
        except ClientError:
            continue  # 404: no level set at this scope
        if level:
            return str(level).upper()
    return DEFAULT_LEVEL


def registered_versions(
    client: RegistryClient, subject: str, transitive: bool
) -> list[tuple[int | None, dict[str, Any] | str]]:
    """[(version, schema)] oldest first: all versions when ``transitive``, else the latest."""
    if transitive:
        numbers = call("list versions", client.get_versions, subject) or []
    else:
        numbers = ["latest"]
    found: list[tuple[int | None, dict[str, Any] | str]] = []
    for number in numbers:
        version = call("read a version", client.get_schema, subject, number)
        if version is not None:
            found.append((int(version.version), version.schema.raw_schema))
    return found


@dataclass
class SubjectCheck:
    """What ``schemas check`` says about one subject."""

    subject: str
    contract: str
    status: str  # "new", "ok", "unchanged" or "incompatible"
    level: str = DEFAULT_LEVEL
    latest_version: int | None = None
    diff: list[str] = field(default_factory=list)
    problems: list[Incompatibility] = field(default_factory=list)
    registry_messages: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status != "incompatible"

    def render(self) -> str:
        head = {
            "new": "new (not registered yet)",
            "unchanged": f"OK (same as version {self.latest_version})",
            "ok": f"OK (compatible with version {self.latest_version} under {self.level})",
            "incompatible": (f"INCOMPATIBLE with version {self.latest_version} under {self.level}"),
        }[self.status]
        lines = [f"{self.subject} [avro/{self.contract}.avsc]: {head}"]
        if self.status == "incompatible":
            lines += [f"    {d}" for d in self.diff] or ["    (no top-level field changed)"]
            lines.append("  why:")
            lines += [f"    {p}" for p in self.problems]
            lines += [f"    registry: {m}" for m in self.registry_messages]
        return "\n".join(lines)


def _registry_verdict(
    client: RegistryClient, subject: str, schema: Any
) -> tuple[bool | None, list[str]]:
    try:
        answer = call(
            "test compatibility", client.test_compatibility, subject, schema, verbose=True
        )
    except ClientError:
        return None, []  # a registry without the endpoint: the local check decides
    if isinstance(answer, dict):
        return bool(answer.get("is_compatible")), [str(m) for m in answer.get("messages", [])]
    return bool(answer), []


def check_subject(
    client: RegistryClient, subject: str, contract_name: str, schema: dict[str, Any]
) -> SubjectCheck:
    """Judge ``schema`` against what is registered under ``subject``, without registering."""
    latest = call("read the latest version", client.get_schema, subject, "latest")
    if latest is None:
        return SubjectCheck(subject, contract_name, "new")
    level = compatibility_level(client, subject)
    old = latest.schema.raw_schema
    check = SubjectCheck(subject, contract_name, "ok", level, int(latest.version))
    known = call("look up the contract", client.check_version, subject, schema)
    if known is not None and int(known.version) == check.latest_version:
        # Asked of the registry, not compared locally: it normalizes what it stores (it
        # writes namespaces into nested types), so the text it returns differs from ours.
        check.status = "unchanged"
        return check
    versions = registered_versions(client, subject, level.endswith("_TRANSITIVE"))
    check.problems = incompatibilities(schema, versions, level)
    verdict, messages = _registry_verdict(client, subject, schema)
    compatible = verdict if verdict is not None else not check.problems
    if not compatible:
        check.status = "incompatible"
        check.diff = field_diff(old if isinstance(old, dict) else {}, schema)
        if not check.problems:
            check.registry_messages = messages or ["incompatible (no detail given)"]
    return check


def contract_error(
    client: RegistryClient, subject: str, contract_name: str, schema: dict[str, Any], err: Exception
) -> ContractError:
    """The ContractError for a 409 on ``subject``, with the fields computed locally."""
    level = compatibility_level(client, subject)
    versions = registered_versions(client, subject, level.endswith("_TRANSITIVE"))
    problems = incompatibilities(schema, versions, level)
    fields = list(dict.fromkeys(p.field for p in problems))
    reasons = [str(p) for p in problems] or [f"registry said: {err}"]
    return ContractError(subject, fields, reasons, level=level, contract=contract_name)
