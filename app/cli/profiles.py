"""``faust -A app profiles ACTION``: key rotation, key usage, retention sweep, consent.

Faust commands are single-level, so the action is a positional argument::

    faust -A app profiles rotate-keys [--batch 200]   # re-encrypt under the active key
    faust -A app profiles key-usage                   # values per key id
    faust -A app profiles sweep [--dry-run]           # enforce retention periods
    faust -A app profiles consent USER_ID             # current consent of a user

``sweep`` erases inactive users from every GDPR store registered in this process (PostgreSQL,
Milvus, compacted topics); stores that live in worker tables are not reachable from a command,
so the workers' own sweep covers those (see docs/privacy.md).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import click
import orjson
from faust.cli import AppCommand, argument, option

from app.core import app, settings
from app.profiles import consent
from app.profiles.access import Actor
from app.profiles.components import build_profile_components
from app.profiles.db import SYSTEM_KEY_ID
from app.profiles.retention import RetentionPolicy, sweep
from app.profiles.rotation import key_usage, rotate
from app.services.milvus import Milvus
from app.services.postgres import Postgres
from app.serving.gdpr_tables import FaustTablesStore

ACTIONS = ("rotate-keys", "key-usage", "sweep", "consent")
ACTOR = Actor(SYSTEM_KEY_ID, "admin")


@app.command(
    argument("action", type=click.Choice(ACTIONS)),
    argument("user_id", type=str, required=False, default=""),
    option("--batch", type=int, default=200, help="rotate-keys: rows per transaction"),
    option("--dry-run", is_flag=True, default=False, help="sweep: count, remove nothing"),
)
async def profiles(self: AppCommand, action: str, user_id: str, batch: int, dry_run: bool) -> None:
    """Profiles: rotate-keys | key-usage | sweep | consent USER_ID."""
    pg = Postgres(settings.database_url, min_size=1, max_size=2)
    milvus = Milvus(settings.milvus_uri, token=settings.milvus_token)
    components = build_profile_components(
        settings, pg, milvus, extra_stores=[FaustTablesStore(app)]
    )
    try:
        if action == "rotate-keys":
            done = await rotate(pg, components.cipher, batch=batch)
            print(
                orjson.dumps({"active": components.cipher.active_kid, "rewritten": done}).decode()
            )
            print(orjson.dumps({"key_usage": await key_usage(pg)}).decode())
        elif action == "key-usage":
            print(orjson.dumps(await key_usage(pg)).decode())
        elif action == "sweep":
            orchestrator = components.orchestrator()

            async def erase(user_key: str) -> object:
                return await orchestrator.erase(user_key, ACTOR, reason="retention")

            removed = await sweep(
                pg, RetentionPolicy.from_env(), datetime.now(UTC), erase_user=erase, dry_run=dry_run
            )
            print(orjson.dumps({"dry_run": dry_run, "removed": removed}).decode())
        else:
            if not user_id:
                raise click.UsageError("consent needs USER_ID: profiles consent USER_ID")
            user_key = components.pseudonymize(user_id)
            print(
                orjson.dumps({"user_key": user_key, **await consent.current(pg, user_key)}).decode()
            )
    finally:
        await asyncio.shield(pg.on_stop())
        await milvus.on_stop()
