"""The migration runner on the real PostgreSQL: from empty, rerun, concurrent, edited file."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import asyncpg
import pytest

from app.db.migrate import MIGRATIONS_DIR, MigrationError, discover, migrate
from app.db.testing import scratch_database
from app.settings import Settings

CATALOG_TABLES = {
    "taxonomy", "attribute_definitions", "products", "variants", "locations", "inventory",
    "prices", "media_assets", "prescription_attributes", "api_keys", "audit_log", "outbox",
    "applied_changes", "source_records", "schema_migrations",
}  # fmt: skip


async def _tables(dsn: str) -> set[str]:
    con = await asyncpg.connect(dsn)
    try:
        rows = await con.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {r["tablename"] for r in rows}
    finally:
        await con.close()


async def test_from_empty_then_rerun_applies_nothing(settings: Settings) -> None:
    async with scratch_database(settings.database_url, migrated=False) as dsn:
        assert await _tables(dsn) == set()
        first = await migrate(dsn)
        assert [m.version for m in first] == [m.version for m in discover()]
        assert await _tables(dsn) >= CATALOG_TABLES
        assert await migrate(dsn) == []
        con = await asyncpg.connect(dsn)
        try:
            rows = await con.fetch("SELECT version, name, checksum FROM schema_migrations")
        finally:
            await con.close()
        assert {(r["version"], r["name"], r["checksum"]) for r in rows} == {
            (m.version, m.name, m.checksum) for m in discover()
        }


async def test_concurrent_runners_apply_each_file_once(settings: Settings) -> None:
    async with scratch_database(settings.database_url, migrated=False) as dsn:
        results = await asyncio.gather(*(migrate(dsn) for _ in range(3)))
        applied = sorted(m.version for done in results for m in done)
        assert applied == [m.version for m in discover()], results


async def test_an_edited_applied_file_is_refused(settings: Settings, tmp_path: Path) -> None:
    copy = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, copy)
    async with scratch_database(settings.database_url, migrated=False) as dsn:
        await migrate(dsn, directory=copy)
        first = sorted(copy.glob("0001_*.sql"))[0]
        first.write_text(first.read_text() + "\n-- edited\n")
        with pytest.raises(MigrationError, match="edited after it was applied"):
            await migrate(dsn, directory=copy)


async def test_a_failing_migration_rolls_back_and_names_itself(
    settings: Settings, tmp_path: Path
) -> None:
    (tmp_path / "0001_ok.sql").write_text("CREATE TABLE a (x int);")
    (tmp_path / "0002_broken.sql").write_text("CREATE TABLE b (x int); SELECT nope FROM a;")
    async with scratch_database(settings.database_url, migrated=False) as dsn:
        with pytest.raises(MigrationError, match="0002_broken failed"):
            await migrate(dsn, directory=tmp_path)
        assert await _tables(dsn) == {"a", "schema_migrations"}
