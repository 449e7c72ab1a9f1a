"""A private migrated database per module; a Postgres service (the worker's pool type) per test."""

from __future__ import annotations

import asyncio
import base64
import os
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from app.db.testing import create_database, drop_database
from app.privacy.pseudonym import Pseudonymizer
from app.profiles.crypto import FieldCipher, Keyring
from app.profiles.store import ProfileStore
from app.services.postgres import Postgres
from app.settings import Settings


@pytest.fixture(scope="module")
def profiles_dsn(settings: Settings) -> Iterator[str]:
    dsn = asyncio.run(create_database(settings.database_url, prefix="hw_profiles"))
    yield dsn
    asyncio.run(drop_database(settings.database_url, dsn))


@pytest.fixture
async def db(profiles_dsn: str) -> AsyncIterator[Postgres]:
    pg = Postgres(profiles_dsn, min_size=1, max_size=4)
    try:
        yield pg
    finally:
        await pg.on_stop()


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher(Keyring.parse(f"k1:{new_key()}"))


@pytest.fixture
def profiles(db: Postgres, cipher: FieldCipher) -> ProfileStore:
    return ProfileStore(db, cipher)


@pytest.fixture
def user_key() -> str:
    return Pseudonymizer("integration-test-pseudonym-key")(f"user-{uuid.uuid4()}")
