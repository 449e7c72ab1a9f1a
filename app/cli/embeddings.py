"""``faust -A app embeddings ACTION``: promote, roll back, check and backfill vector collections.

Faust commands are single-level, so the action is a positional argument::

    faust -A app embeddings promote VERSION [--kind products] [--allow-empty]
    faust -A app embeddings rollback [--kind products]
    faust -A app embeddings check [--kind products]       # consistency + freshness; exit 1 if off
    faust -A app embeddings backfill VERSION [--kind content] [--sessions FILE.jsonl]

``backfill`` fits a TF-IDF+SVD encoder on the catalog in PostgreSQL (``--kind content`` or
``products``), or, with ``--sessions`` (JSON lines, one list of product ids per session), a
co-occurrence encoder; it writes ``<prefix><kind>_<VERSION>``, saves the encoder under
``DATA_DIR/encoders/`` and resumes from ``DATA_DIR/backfill/`` if interrupted. It does not
promote: check the new collection, then ``promote`` it.
"""

from __future__ import annotations

from pathlib import Path

import orjson
from faust.cli import AppCommand, argument, option

from app.core import app, settings
from app.services.milvus import Milvus
from app.vectors import consistency, encoders, sources
from app.vectors.backfill import backfill
from app.vectors.errors import VectorError
from app.vectors.schema import DEFAULT_DIM, DEFAULT_PREFIX, KINDS, VectorRecord
from app.vectors.store import VectorStore
from app.vectors.versions import MilvusAliases, Versions

ACTIONS = ("promote", "rollback", "check", "backfill")
# Until settings carries MILVUS_COLLECTION_PREFIX (see docs/vectors.md), the default prefix.
PREFIX = str(getattr(settings, "milvus_collection_prefix", "") or DEFAULT_PREFIX)


@app.command(
    argument("action", type=str),
    argument("version", type=str, required=False, default=""),
    option("--kind", type=str, default="", help=f"one of {', '.join(KINDS)}"),
    option("--prefix", type=str, default=PREFIX, help="collection name prefix"),
    option("--allow-empty", is_flag=True, default=False, help="promote: allow an empty version"),
    option("--dim", type=int, default=DEFAULT_DIM, help="backfill: vector dimension"),
    option("--sessions", type=str, default="", help="backfill: sessions JSONL (co-occurrence)"),
    option("--checkpoint", type=str, default="", help="backfill: checkpoint file"),
)
async def embeddings(
    self: AppCommand,
    action: str,
    version: str,
    kind: str,
    prefix: str,
    allow_empty: bool,
    dim: int,
    sessions: str,
    checkpoint: str,
) -> None:
    """Vector collections: promote VERSION | rollback | check | backfill VERSION."""
    if action not in ACTIONS:
        raise SystemExit(f"unknown action {action!r}: use one of {', '.join(ACTIONS)}")
    if action in ("promote", "backfill") and not version:
        raise SystemExit(f"embeddings {action} needs a VERSION, e.g. `embeddings {action} v2`")
    milvus = Milvus(settings.milvus_uri, token=settings.milvus_token)
    store = VectorStore(milvus, prefix=prefix, dims=dict.fromkeys(KINDS, dim))
    try:
        if action == "check":
            ok = await _check(self, store, kind or "products")
            if not ok:
                raise SystemExit(1)
            return
        kind = kind or ("content" if action == "backfill" and not sessions else "products")
        versions = Versions(MilvusAliases(store), store.names)
        if action == "promote":
            self.say(str(await versions.promote(kind, version, allow_empty=allow_empty)))
        elif action == "rollback":
            self.say(str(await versions.rollback(kind)))
        else:
            await _backfill(self, store, kind, version, dim, sessions, checkpoint)
    except VectorError as err:
        raise SystemExit(str(err)) from err
    finally:
        await store.flush()
        await milvus.on_stop()


async def _check(self: AppCommand, store: VectorStore, kind: str) -> bool:
    report = await consistency.check_products(
        store, consistency.catalog_rows(settings.database_url), kind=kind
    )
    ages = await consistency.freshness(store)
    self.say(
        orjson.dumps(
            {"consistency": report.summary(), "freshness": [a.__dict__ for a in ages]},
            option=orjson.OPT_INDENT_2,
        ).decode()
    )
    return report.ok


async def _backfill(
    self: AppCommand,
    store: VectorStore,
    kind: str,
    version: str,
    dim: int,
    sessions: str,
    checkpoint: str,
) -> None:
    catalog = await sources.catalog_products(settings.database_url)
    records: list[VectorRecord]
    encoder: object
    if sessions:
        cooc = encoders.CooccurrenceEncoder(dim=dim, version=version)
        encoder = cooc.fit(sources.read_sessions(Path(sessions)))
        records = sources.behavior_records(cooc, catalog)
    else:
        content = encoders.TfidfSvdEncoder(dim=dim, version=version)
        encoder = content.fit(catalog)
        records = sources.content_records(catalog, content)
    encoders.save(encoder, settings.data_dir / "encoders" / f"{kind}_{version}.pkl")
    name = store.names.physical(kind, version)
    point = Path(checkpoint) if checkpoint else settings.data_dir / "backfill" / f"{name}.json"
    result = await backfill(store, kind, version, records, point, total=len(records))
    self.say(orjson.dumps(result.__dict__).decode())
