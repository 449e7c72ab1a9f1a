"""Rule sets in PostgreSQL (migration 0010), reloaded on change without a restart.

:class:`RuleStore` reads one rule set with its item flags. :class:`RuleWatcher` polls
``rec_rulesets.revision`` (a trigger bumps it on every change to the set or its flags) every
``interval`` seconds and reloads when it moved; :attr:`RuleWatcher.current` is what the engine
reads (pass ``watcher.current_fn`` as the engine's ``rules``). A failed poll keeps the last good
rule set: recommendations must not stop because PostgreSQL blinked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import orjson

from app.recommend.errors import ConfigurationError
from app.recommend.rules import RuleSet

log = logging.getLogger(__name__)


class RuleStore:
    def __init__(self, postgres: Any) -> None:
        #: Anything with ``acquire()`` as an async context manager (app.core.postgres, a Pool).
        self._pg = postgres

    async def revision(self, name: str) -> int | None:
        async with self._pg.acquire() as con:
            value = await con.fetchval("SELECT revision FROM rec_rulesets WHERE name = $1", name)
        return None if value is None else int(value)

    async def load(self, name: str) -> RuleSet:
        async with self._pg.acquire() as con:
            row = await con.fetchrow(
                "SELECT config, revision FROM rec_rulesets WHERE name = $1", name
            )
            if row is None:
                raise ConfigurationError(
                    f"Rule set {name!r} is not in rec_rulesets; insert it or use 'default'"
                )
            flags = await con.fetch(
                "SELECT item_id, action, value FROM rec_item_flags WHERE ruleset = $1", name
            )
        config = row["config"]
        if isinstance(config, str):
            config = orjson.loads(config)
        return RuleSet.from_config(
            name,
            int(row["revision"]),
            config,
            [(f["item_id"], f["action"], float(f["value"])) for f in flags],
        )

    async def save(self, name: str, config: dict[str, Any]) -> None:
        async with self._pg.acquire() as con:
            await con.execute(
                "INSERT INTO rec_rulesets (name, config) VALUES ($1, $2::jsonb) "
                "ON CONFLICT (name) DO UPDATE SET config = EXCLUDED.config",
                name,
                orjson.dumps(config).decode(),
            )

    async def set_flag(self, name: str, item_id: str, action: str, value: float = 1.0) -> None:
        async with self._pg.acquire() as con:
            await con.execute(
                "INSERT INTO rec_item_flags (ruleset, item_id, action, value) "
                "VALUES ($1, $2, $3, $4) ON CONFLICT (ruleset, item_id, action) "
                "DO UPDATE SET value = EXCLUDED.value",
                name,
                item_id,
                action,
                value,
            )

    async def clear_flag(self, name: str, item_id: str, action: str) -> None:
        async with self._pg.acquire() as con:
            await con.execute(
                "DELETE FROM rec_item_flags WHERE ruleset = $1 AND item_id = $2 AND action = $3",
                name,
                item_id,
                action,
            )


class RuleWatcher:
    def __init__(self, store: RuleStore, name: str = "default", interval: float = 2.0) -> None:
        self.store = store
        self.name = name
        self.interval = interval
        self.current = RuleSet(name=name)
        self._task: asyncio.Task[None] | None = None

    def current_fn(self) -> RuleSet:
        return self.current

    async def poll(self) -> bool:
        """Reload when the revision moved; True when a new rule set was loaded."""
        revision = await self.store.revision(self.name)
        if revision is None or revision == self.current.version:
            return False
        self.current = await self.store.load(self.name)
        log.info("rule set %s reloaded at revision %d", self.name, self.current.version)
        return True

    async def run(self) -> None:
        while True:
            try:
                await self.poll()
            except (OSError, ConfigurationError) as err:
                log.warning("rule set %s: poll failed, keeping revision %d: %s",
                            self.name, self.current.version, err)  # fmt: skip
            except Exception:
                log.exception("rule set %s: poll failed", self.name)
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self.run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
