"""The profile services of one process, built once from settings and the worker's services.

``install(...)`` registers the PostgreSQL, Milvus and Kafka stores (idempotent); other
modules (the Faust table stores) call :func:`app.profiles.gdpr.register_store` themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.privacy.pseudonym import Pseudonymizer
from app.profiles.crypto import FieldCipher, Keyring
from app.profiles.db import Database
from app.profiles.gdpr import Orchestrator, register_store, registered_stores
from app.profiles.gdpr_stores import KafkaTombstoneStore, MilvusUserStore, PostgresUserStore
from app.profiles.store import ProfileStore
from app.services.milvus import Milvus
from app.settings import Settings
from app.vectors.schema import DEFAULT_PREFIX

#: Compacted topics keyed by user_key that an erasure tombstones (logical names).
COMPACTED_USER_TOPICS = ("consent.changes",)


@dataclass
class ProfileServices:
    db: Database
    cipher: FieldCipher
    profiles: ProfileStore
    pseudonymize: Pseudonymizer

    def orchestrator(self) -> Orchestrator:
        """Over every store registered now (the table stores may register after start)."""
        return Orchestrator(registered_stores(), audit_db=self.db)


_services: ProfileServices | None = None


def install(settings: Settings, db: Database, milvus: Milvus) -> ProfileServices:
    """Build the process's profile services and register the default stores once."""
    global _services
    if _services is None:
        cipher = FieldCipher(Keyring.from_env(settings.encryption_keys))
        profiles = ProfileStore(db, cipher)
        prefix = str(getattr(settings, "milvus_collection_prefix", "") or DEFAULT_PREFIX)
        register_store(PostgresUserStore(profiles), replace=True)
        register_store(MilvusUserStore(milvus, prefix=prefix), replace=True)
        register_store(
            KafkaTombstoneStore(
                settings.kafka_bootstrap, [settings.topic(t) for t in COMPACTED_USER_TOPICS]
            ),
            replace=True,
        )
        _services = ProfileServices(db, cipher, profiles, Pseudonymizer(settings.pseudonym_key))
    return _services
