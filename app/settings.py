"""One frozen settings object, built from ``faust.ini`` and the environment.

Sources, highest priority first:

1. an environment variable (the name is in each field's metadata and in ``faust.ini``);
2. the ini file named by ``HEADWATER_CONFIG``, else ``faust.ini`` at the project root.

Faust itself does not read ini files, so this module is the only place configuration is parsed.
Secrets come from the environment alone: a secret key found in the ini file is an error, so a
password cannot be committed by accident.
"""

from __future__ import annotations

import configparser
import os
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INI = PROJECT_ROOT / "faust.ini"
CONFIG_ENV = "HEADWATER_CONFIG"

#: Words that mark an ini key as a secret; such keys are refused in the file.
_SECRET_WORDS = ("password", "secret", "token", "apikey", "api_key", "private")


def _opt(ini: str, env: str) -> Any:
    """A setting read from ``[section] key`` (``ini='section.key'``) and overridden by ``env``."""
    return field(metadata={"ini": ini, "env": env})


def _secret(env: str) -> Any:
    """A setting read from the environment only; empty when unset."""
    return field(default="", repr=False, metadata={"env": env, "secret": True})


@dataclass(frozen=True)
class Settings:
    """Everything a worker, a command or a test needs to find its services."""

    app_id: str = _opt("app.id", "APP_ID")
    data_dir: Path = _opt("app.data_dir", "DATA_DIR")
    store: str = _opt("app.store", "STORE")
    log_level: str = _opt("app.log_level", "LOG_LEVEL")

    broker_url: str = _opt("kafka.broker_url", "BROKER_URL")
    topic_partitions: int = _opt("kafka.partitions", "TOPIC_PARTITIONS")
    topic_replication_factor: int = _opt("kafka.replication_factor", "TOPIC_REPLICATION_FACTOR")
    topic_prefix: str = _opt("kafka.topic_prefix", "TOPIC_PREFIX")
    dlq_retention_hours: int = _opt("kafka.dlq_retention_hours", "DLQ_RETENTION_HOURS")
    producer_linger_ms: int = _opt("kafka.producer_linger_ms", "PRODUCER_LINGER_MS")
    consumer_fetch_max_wait_ms: int = _opt(
        "kafka.consumer_fetch_max_wait_ms", "CONSUMER_FETCH_MAX_WAIT_MS"
    )
    producer_max_batch_bytes: int = _opt(
        "kafka.producer_max_batch_bytes", "PRODUCER_MAX_BATCH_BYTES"
    )

    schema_registry_url: str = _opt("registry.url", "SCHEMA_REGISTRY_URL")

    database_url: str = _opt("postgres.dsn", "DATABASE_URL")
    database_pool_min: int = _opt("postgres.pool_min", "DATABASE_POOL_MIN")
    database_pool_max: int = _opt("postgres.pool_max", "DATABASE_POOL_MAX")

    milvus_uri: str = _opt("milvus.uri", "MILVUS_URI")
    milvus_collection_prefix: str = _opt("milvus.collection_prefix", "MILVUS_COLLECTION_PREFIX")

    web_host: str = _opt("web.host", "WEB_HOST")
    web_port: int = _opt("web.port", "WEB_PORT")
    health_timeout: float = _opt("web.health_timeout", "HEALTH_TIMEOUT")

    ingest_max_events: int = _opt("ingest.max_events", "INGEST_MAX_EVENTS")
    ingest_max_bytes: int = _opt("ingest.max_bytes", "INGEST_MAX_BYTES")

    max_event_age_hours: float = _opt("cleaning.max_event_age_hours", "MAX_EVENT_AGE_HOURS")
    max_clock_skew_seconds: float = _opt("cleaning.max_clock_skew_seconds", "MAX_CLOCK_SKEW")
    dedup_window_seconds: float = _opt("cleaning.dedup_window_seconds", "DEDUP_WINDOW")
    pii_nlp_model: str = _opt("cleaning.pii_nlp_model", "PII_NLP_MODEL")
    pii_entities: str = _opt("cleaning.pii_entities", "PII_ENTITIES")
    bot_threshold: float = _opt("cleaning.bot_threshold", "BOT_THRESHOLD")
    batch_size: int = _opt("cleaning.batch_size", "STAGE_BATCH_SIZE")
    batch_wait_ms: float = _opt("cleaning.batch_wait_ms", "STAGE_BATCH_WAIT_MS")

    session_timeout_seconds: float = _opt("enrich.session_timeout_seconds", "SESSION_TIMEOUT")

    # Secrets: environment only.
    milvus_token: str = _secret("MILVUS_TOKEN")
    pseudonym_key: str = _secret("HEADWATER_PSEUDONYM_KEY")
    encryption_keys: str = _secret("HEADWATER_ENCRYPTION_KEYS")

    def topic(self, name: str) -> str:
        """The full topic name: ``TOPIC_PREFIX`` + name (tests run on their own topics)."""
        return f"{self.topic_prefix}{name}"

    @property
    def kafka_bootstrap(self) -> str:
        """``host:port,...`` for plain aiokafka clients (``broker_url`` without ``kafka://``)."""
        return ",".join(
            part.strip().removeprefix("kafka://") for part in self.broker_url.split(",")
        )


_CONVERTERS: dict[str, Any] = {"str": str, "int": int, "float": float, "Path": Path}


def env_names() -> dict[str, str]:
    """Field name → environment variable, for documentation and ``settings show``."""
    return {f.name: f.metadata["env"] for f in fields(Settings)}


def _read_ini(path: Path) -> configparser.ConfigParser:
    if not path.is_file():
        raise ConfigError(
            f"Config file {path} does not exist; create it or set {CONFIG_ENV} to an existing file"
        )
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path, encoding="utf-8")
    for section in parser.sections():
        for key in parser[section]:
            if any(word in key.lower() for word in _SECRET_WORDS):
                raise ConfigError(
                    f"{path}: [{section}] {key} looks like a secret; secrets are read from the "
                    "environment only. Remove it from the file and export it instead"
                )
    return parser


def load_settings(
    environ: Mapping[str, str] | None = None, ini_path: Path | None = None
) -> Settings:
    """Build :class:`Settings`; the environment wins over the ini file."""
    env = os.environ if environ is None else environ
    path = ini_path or Path(env.get(CONFIG_ENV) or DEFAULT_INI)
    parser = _read_ini(path)
    values: dict[str, Any] = {}
    for f in fields(Settings):
        env_name = f.metadata["env"]
        raw: str | None = env.get(env_name)
        origin = f"environment variable {env_name}"
        if raw is None and "ini" in f.metadata:
            section, key = f.metadata["ini"].split(".", 1)
            raw = parser.get(section, key, fallback=None)
            origin = f"{path} [{section}] {key}"
            if raw is None:
                raise ConfigError(
                    f"Setting {f.name!r} is missing: add '{key} = ...' under [{section}] in "
                    f"{path} or export {env_name}"
                )
        if raw is None:
            if f.default is MISSING:  # pragma: no cover - every secret has a default
                raise ConfigError(f"Setting {f.name!r} is missing: export {env_name}")
            continue
        convert = _CONVERTERS[str(f.type)]
        try:
            values[f.name] = convert(raw.strip())
        except ValueError as err:
            raise ConfigError(
                f"Setting {f.name!r} from {origin} is {raw!r}, which is not a valid {f.type}"
            ) from err
    settings = Settings(**values)
    _validate(settings)
    return settings


def _validate(s: Settings) -> None:
    if not s.broker_url.startswith("kafka://"):
        raise ConfigError(
            f"BROKER_URL {s.broker_url!r} must look like kafka://host:port[,kafka://host:port]"
        )
    if s.topic_partitions < 1 or s.topic_replication_factor < 1:
        raise ConfigError("TOPIC_PARTITIONS and TOPIC_REPLICATION_FACTOR must be at least 1")
    if not 0 < s.database_pool_min <= s.database_pool_max:
        raise ConfigError(
            f"DATABASE_POOL_MIN ({s.database_pool_min}) must be positive and not above "
            f"DATABASE_POOL_MAX ({s.database_pool_max})"
        )
    if s.ingest_max_events < 1 or s.ingest_max_bytes < 1024:
        raise ConfigError("INGEST_MAX_EVENTS must be >= 1 and INGEST_MAX_BYTES >= 1024")
    if not 0 < s.bot_threshold <= 1:
        raise ConfigError(f"BOT_THRESHOLD must be in (0, 1], got {s.bot_threshold}")
    if s.health_timeout <= 0:
        raise ConfigError(f"HEALTH_TIMEOUT must be positive, got {s.health_timeout}")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
