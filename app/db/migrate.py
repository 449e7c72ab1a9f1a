"""Apply ``app/db/migrations/NNNN_<name>.sql`` in order, each once, each in its own transaction.

Every file runs inside a transaction holding ``pg_advisory_xact_lock(MIGRATION_LOCK)``, so two
workers starting together cannot apply the same file twice; the second waits, then sees it done.
``schema_migrations`` records version, name and the SHA-256 of the file. A changed file that
was already applied is refused: ship a new numbered file instead (see docs/catalog.md).

Versions in the database that this code does not know are allowed on purpose: during a
blue-green roll-out the old workers run against a schema the new ones have already expanded.

Run: ``python -m app.db.migrate [--dsn DSN] [--target N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import logging
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from app.errors import HeadwaterError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Arbitrary constant shared by every runner: "hw" "mi" "gr" in ASCII.
MIGRATION_LOCK = 0x6877_6D69_6772
_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    int PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


class MigrationError(HeadwaterError):
    """A migration file is malformed, was edited after being applied, or failed to apply."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """The migration files of ``directory``, sorted by version; refuses gaps and bad names."""
    found: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = _FILE.match(path.name)
        if match is None:
            raise MigrationError(
                f"Migration file {path} is misnamed; rename it NNNN_lower_snake_name.sql"
            )
        found.append(Migration(int(match[1]), match[2], path.read_text(encoding="utf-8")))
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise MigrationError(
                f"Migration {migration.version:04d}_{migration.name} breaks the sequence: "
                f"expected version {expected:04d}; number files consecutively"
            )
    return found


async def _applied(con: asyncpg.Connection) -> dict[int, asyncpg.Record]:
    rows = await con.fetch("SELECT version, name, checksum FROM schema_migrations")
    return {r["version"]: r for r in rows}


def _verify(migrations: list[Migration], applied: dict[int, asyncpg.Record]) -> None:
    for m in migrations:
        row = applied.get(m.version)
        if row is not None and row["checksum"] != m.checksum:
            raise MigrationError(
                f"Migration {m.version:04d}_{m.name} was edited after it was applied "
                f"(checksum {row['checksum'][:12]} in the database, {m.checksum[:12]} on disk); "
                "restore the file and put the change in a new numbered migration"
            )


async def migrate_connection(
    con: asyncpg.Connection, *, directory: Path = MIGRATIONS_DIR, target: int | None = None
) -> list[Migration]:
    """Apply the pending migrations up to ``target`` (all when None); return those applied."""
    migrations = [m for m in discover(directory) if target is None or m.version <= target]
    done: list[Migration] = []
    for migration in migrations:
        async with con.transaction():
            await con.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            await con.execute(_CREATE_TABLE)
            applied = await _applied(con)
            # Checked under the lock, on every step: another runner may have applied files.
            _verify(migrations, applied)
            if migration.version in applied:
                continue
            try:
                await con.execute(migration.sql)
            except asyncpg.PostgresError as err:
                raise MigrationError(
                    f"Migration {migration.version:04d}_{migration.name} failed and was rolled "
                    f"back: {type(err).__name__}: {err}; fix the file before it is applied"
                ) from err
            await con.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                migration.version,
                migration.name,
                migration.checksum,
            )
            log.info("applied migration %04d_%s", migration.version, migration.name)
            done.append(migration)
    return done


async def migrate(
    dsn: str, *, directory: Path = MIGRATIONS_DIR, target: int | None = None
) -> list[Migration]:
    """Connect to ``dsn`` and apply the pending migrations."""
    con = await asyncpg.connect(dsn)
    try:
        return await migrate_connection(con, directory=directory, target=target)
    finally:
        await con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.db.migrate", description=__doc__)
    parser.add_argument("--dsn", help="PostgreSQL DSN (default: DATABASE_URL / faust.ini)")
    parser.add_argument("--target", type=int, help="stop after this version")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    dsn = args.dsn
    if dsn is None:
        from app.settings import get_settings

        dsn = get_settings().database_url
    try:
        done = asyncio.run(migrate(dsn, target=args.target))
    except MigrationError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"{len(done)} migration(s) applied" if done else "schema is up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
