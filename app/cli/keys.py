"""``faust -A app create-key --role ROLE [--label TEXT]``: print a new API key once."""

from __future__ import annotations

import asyncio

import click
from faust.cli import AppCommand, option

from app.auth import ROLES, Authenticator, PostgresKeyStore
from app.core import app, settings
from app.services.postgres import Postgres


@app.command(
    option("--role", type=click.Choice(ROLES), default="ingest", help="Key role."),
    option("--label", default="", help="Who or what uses the key."),
)
async def create_key(self: AppCommand, role: str, label: str) -> None:
    """Create an API key (shown once; only its hash is stored)."""
    pg = Postgres(settings.database_url, min_size=1, max_size=1)
    try:
        key = await Authenticator(PostgresKeyStore(pg)).create(role, label)
    finally:
        await asyncio.shield(pg.on_stop())
    print(key)
