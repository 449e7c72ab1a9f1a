"""The profile components of one process: the encrypted profile store, the pseudonymizer and
the GDPR stores.

Built by :class:`app.components.Components` in a worker and by the ``profiles`` command on its
own connections; nothing here is a module-level singleton.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from app.privacy.pseudonym import Pseudonymizer
from app.profiles.crypto import FieldCipher, Keyring
from app.profiles.db import Database
from app.profiles.gdpr import GdprStores, Orchestrator, UserDataStore
from app.profiles.gdpr_stores import KafkaTombstoneStore, MilvusUserStore, PostgresUserStore
from app.profiles.store import ProfileStore
from app.services.milvus import Milvus
from app.settings import Settings
from app.vectors.schema import DEFAULT_PREFIX

#: Compacted topics keyed by user_key that an erasure tombstones (logical names).
COMPACTED_USER_TOPICS = ("consent.changes",)


@dataclass
class ProfileComponents:
    db: Database
    cipher: FieldCipher
    profiles: ProfileStore
    pseudonymize: Pseudonymizer
    stores: GdprStores = field(default_factory=GdprStores)

    def orchestrator(self) -> Orchestrator:
        """Over every GDPR store of this process."""
        return Orchestrator(list(self.stores), audit_db=self.db)


def build_profile_components(
    settings: Settings, db: Database, milvus: Milvus, extra_stores: Iterable[UserDataStore] = ()
) -> ProfileComponents:
    """The profile components over ``db``, with the PostgreSQL, Milvus and Kafka GDPR stores."""
    cipher = FieldCipher(Keyring.from_env(settings.encryption_keys))
    profiles = ProfileStore(db, cipher)
    prefix = str(getattr(settings, "milvus_collection_prefix", "") or DEFAULT_PREFIX)
    built = ProfileComponents(db, cipher, profiles, Pseudonymizer(settings.pseudonym_key))
    stores: list[UserDataStore] = [
        PostgresUserStore(profiles),
        MilvusUserStore(milvus, prefix=prefix),
        KafkaTombstoneStore(
            settings.kafka_bootstrap, [settings.topic(t) for t in COMPACTED_USER_TOPICS]
        ),
        *extra_stores,
    ]
    for store in stores:
        built.stores.register(store)
    return built
