"""``faust -A app schemas check|register``: the contracts in ``avro/`` against the registry.

``check`` registers nothing: it prints each subject as new, OK or INCOMPATIBLE (with a field
diff and the reasons) and exits 1 when any is incompatible under the subject's compatibility
level. ``register`` registers every contract under its subject (TopicNameStrategy, with
TOPIC_PREFIX) and prints the ids; it exits 1, naming the fields, on a 409.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from typing import Any

import click
from faust.cli import AppCommand, argument, option

from app.core import app
from app.errors import HeadwaterError
from app.models import CONTRACTS, load_contract
from app.serialization.client import RegistryClient, registry_client
from app.serialization.codec import avro_codec
from app.serialization.registry_ops import SubjectCheck, check_subject
from app.serialization.warmup import warm_up_sync
from app.wire.contracts import subjects


def _selected(only: Sequence[str]) -> dict[str, Any]:
    chosen = subjects()
    if only:
        wanted = set(only)
        chosen = {
            s: r for s, r in chosen.items() if s.removesuffix("-value") in wanted or s in wanted
        }
        if not chosen:
            raise click.UsageError(f"No subject matches {sorted(wanted)}; see app/contracts.py")
    return chosen


def check_contracts(client: RegistryClient, only: Sequence[str] = ()) -> list[SubjectCheck]:
    """Blocking: judge every selected contract against its subject."""
    return [
        check_subject(client, subject, CONTRACTS[record], load_contract(record))
        for subject, record in _selected(only).items()
    ]


def register_contracts(only: Sequence[str] = ()) -> dict[str, int]:
    """Blocking: register every selected contract; subject → schema id."""
    names = [avro_codec(subject, record) for subject, record in _selected(only).items()]
    return warm_up_sync(names)


@app.command(
    argument("action", type=click.Choice(["check", "register"])),
    option(
        "--topic",
        "topics",
        multiple=True,
        help="Limit to these topics (without TOPIC_PREFIX, repeatable); default: all.",
    ),
)
async def schemas(self: AppCommand, action: str, topics: tuple[str, ...]) -> None:
    """Check or register the Avro contracts of every topic against the schema registry."""
    only = _prefixed(topics)
    try:
        if action == "check":
            reports = await asyncio.to_thread(check_contracts, registry_client(), only)
            for report in reports:
                self.say(report.render())
            failed = [r.subject for r in reports if not r.ok]
            if failed:
                self.say(
                    f"{len(failed)} incompatible subject(s): {', '.join(failed)}", file=sys.stderr
                )
                raise SystemExit(1)
        else:
            ids = await asyncio.to_thread(register_contracts, only)
            for subject, schema_id in ids.items():
                self.say(f"{subject}: registered, id {schema_id}")
    except HeadwaterError as err:
        self.say(str(err), file=sys.stderr)
        raise SystemExit(1) from err


def _prefixed(topics: Sequence[str]) -> list[str]:
    from app.settings import get_settings

    prefix = get_settings().topic_prefix
    return [f"{prefix}{t}" for t in topics]
