"""No Docker engine runs here, so check what can be checked without one: the compose file's
references and environment names, and that the Dockerfile copies files that exist."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from app.settings import env_names

ROOT = Path(__file__).resolve().parents[3]
COMPOSE = ROOT / "docker" / "compose.yaml"
DOCKERFILE = ROOT / "docker" / "Dockerfile"
SECRET_ENV = {"PGPASSWORD"}


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_has_the_production_like_services() -> None:
    services = compose()["services"]
    assert {"kafka", "schema-registry", "postgres", "milvus", "worker"} <= set(services)
    assert services["worker"]["deploy"]["replicas"] == 2


def test_depends_on_names_existing_services() -> None:
    services = compose()["services"]
    for name, svc in services.items():
        deps = svc.get("depends_on", [])
        for dep in deps if isinstance(deps, list) else deps.keys():
            assert dep in services, f"{name} depends on unknown service {dep}"


def test_volumes_are_declared() -> None:
    doc = compose()
    declared = set(doc["volumes"])
    for name, svc in doc["services"].items():
        for volume in svc.get("volumes", []):
            source = volume.split(":", 1)[0]
            assert source in declared, f"{name} mounts undeclared volume {source}"


def test_worker_environment_uses_real_setting_names() -> None:
    env = compose()["services"]["worker"]["environment"]
    known = set(env_names().values()) | SECRET_ENV
    unknown = set(env) - known
    assert not unknown, f"worker environment has names no setting reads: {unknown}"
    assert env["BROKER_URL"].startswith("kafka://")


def test_secrets_are_required_from_the_environment_not_written_down() -> None:
    text = COMPOSE.read_text()
    for match in re.finditer(r"(PASSWORD|SECRET_KEY|_KEYS?):\s*(\S+)", text):
        assert match.group(2).startswith("${"), f"literal secret in compose: {match.group(0)}"


def test_dockerfile_copies_existing_paths_and_runs_the_worker() -> None:
    text = DOCKERFILE.read_text()
    for line in text.splitlines():
        if line.startswith("COPY "):
            for src in line.split()[1:-1]:
                assert (ROOT / src).exists(), f"Dockerfile copies missing {src}"
    assert 'CMD ["faust", "-A", "app", "worker"' in text
    assert "USER headwater" in text
