"""Rebuild one version of a collection from a source of records, resumably.

The source yields records in ascending id order (``ORDER BY product_id``; sorted session ids);
after every batch Milvus has accepted, the last id is written to a checkpoint file. A run that
is interrupted and started again skips every id up to the checkpoint, so work is not redone and
nothing is skipped. The checkpoint is removed when the backfill completes. A record whose
vector fails validation (a product with no known word) is refused and counted, and the rest of
its batch is written, unless ``skip_invalid`` is False.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterable, Iterable
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from app.vectors.errors import BackfillError, VectorValidationError
from app.vectors.schema import VectorRecord
from app.vectors.store import VectorStore
from app.vectors.validation import problem

log = logging.getLogger(__name__)

Records = Iterable[VectorRecord] | AsyncIterable[VectorRecord]


@dataclass(frozen=True)
class Checkpoint:
    path: Path

    def load(self, collection: str) -> tuple[str | None, int]:
        if not self.path.exists():
            return None, 0
        data = json.loads(self.path.read_text())
        if data.get("collection") != collection:
            raise BackfillError(
                f"checkpoint {self.path} belongs to {data.get('collection')!r}, not "
                f"{collection!r}; pass another --checkpoint or delete the file"
            )
        return data["last_id"], int(data["written"])

    def save(self, collection: str, last_id: str, written: int) -> None:
        tmp = self.path.with_suffix(".tmp")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(
            json.dumps({"collection": collection, "last_id": last_id, "written": written})
        )
        tmp.replace(self.path)  # atomic: a crash leaves the old or the new checkpoint

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


@dataclass(frozen=True)
class BackfillResult:
    collection: str
    written: int
    skipped: int
    refused: int
    resumed_from: str | None


async def _each(records: Records) -> AsyncIterable[VectorRecord]:
    if isinstance(records, AsyncIterable):
        async for r in records:
            yield r
    else:
        for r in records:
            yield r


async def backfill(
    store: VectorStore,
    kind: str,
    version: str,
    records: Records,
    checkpoint: Path,
    *,
    batch: int = 500,
    total: int | None = None,
    progress: bool = True,
    skip_invalid: bool = True,
) -> BackfillResult:
    """Write ``records`` into ``kind`` at ``version`` (created if missing), resuming if asked."""
    collection = await store.ensure(kind, version)
    point = Checkpoint(checkpoint)
    last, written = point.load(collection)
    resumed_from, skipped, refused, previous = last, 0, 0, None
    pending: list[VectorRecord] = []
    bar = tqdm(total=total, initial=written, desc=collection, unit="vec", disable=not progress)

    async def write() -> None:
        nonlocal written, refused
        try:
            await store.upsert(kind, pending, version=version)
        except VectorValidationError as err:
            if not skip_invalid:
                raise
            bounds = store.specs[kind].bounds
            good = [r for r in pending if not problem(r.vector, bounds)]
            refused += len(pending) - len(good)
            log.warning("backfill %s: %s", collection, err)
            await store.upsert(kind, good, version=version)
        await store.flush()
        written += len(pending)  # refused ones included: the checkpoint counts source rows
        point.save(collection, pending[-1].id, written)
        bar.update(len(pending))
        pending.clear()

    try:
        async for record in _each(records):
            if previous is not None and record.id <= previous:
                raise BackfillError(
                    f"backfill source for {collection} is not in ascending id order "
                    f"({record.id!r} after {previous!r}); sort it so a resume can skip safely"
                )
            previous = record.id
            if last is not None and record.id <= last:
                skipped += 1
                continue
            pending.append(record)
            if len(pending) >= batch:
                await write()
        if pending:
            await write()
    finally:
        bar.close()
    await store.seal(kind, version=version)
    point.clear()
    return BackfillResult(collection, written, skipped, refused, resumed_from)
