"""MovieLens-100k from the ``recbole`` wheel, read by path into dense integer arrays.

recbole is installed without its dependencies and never imported: importing it pulls in torch.
``importlib.util.find_spec`` on the top-level name only locates the package, it runs nothing.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RELATIVE = Path("dataset_example") / "ml-100k"


class DataUnavailable(RuntimeError):
    """The data set could not be found or installed; the message names the fix."""


@dataclass(frozen=True)
class Ratings:
    """All ratings in file order; users and items are dense indices into the raw-id arrays."""

    user: np.ndarray  # int32, index into user_ids
    item: np.ndarray  # int32, index into item_ids
    rating: np.ndarray  # float32, 1..5
    ts: np.ndarray  # int64, seconds since the epoch
    user_ids: list[str]
    item_ids: list[str]
    titles: list[str]
    genres: list[list[str]]  # per item index

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    def __len__(self) -> int:
        return len(self.user)


def locate(install: bool = True) -> Path:
    """The ml-100k folder inside the installed recbole wheel, installing it if asked."""
    found = _find()
    if found is None and install:
        cmd = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "recbole"]
        try:
            subprocess.run(cmd, check=True)
        except (OSError, subprocess.CalledProcessError) as err:
            raise DataUnavailable(
                f"`{' '.join(cmd)}` failed; install recbole (no deps) by hand and rerun"
            ) from err
        importlib.invalidate_caches()
        found = _find()
    if found is None:
        raise DataUnavailable(
            "MovieLens-100k not found in the recbole wheel; run "
            f"`{sys.executable} -m pip install --no-deps recbole`"
        )
    return found


def _find() -> Path | None:
    spec = importlib.util.find_spec("recbole")
    roots = list(spec.submodule_search_locations or []) if spec else []
    for root in roots:
        folder = Path(root) / RELATIVE
        if (folder / "ml-100k.inter").is_file() and (folder / "ml-100k.item").is_file():
            return folder
    return None


def load(folder: Path) -> Ratings:
    """Parse the atomic files; ids keep their first-seen order so indices are reproducible."""
    items, titles, genres = _read_items(folder / "ml-100k.item")
    item_index = {raw: i for i, raw in enumerate(items)}
    user_index: dict[str, int] = {}
    users: list[int] = []
    item_col: list[int] = []
    ratings: list[float] = []
    stamps: list[int] = []
    with (folder / "ml-100k.inter").open(encoding="utf-8") as fh:
        next(fh)  # typed header: user_id:token item_id:token rating:float timestamp:float
        for line in fh:
            u, i, r, t = line.rstrip("\n").split("\t")
            users.append(user_index.setdefault(u, len(user_index)))
            item_col.append(item_index[i])
            ratings.append(float(r))
            stamps.append(int(float(t)))
    return Ratings(
        user=np.asarray(users, dtype=np.int32),
        item=np.asarray(item_col, dtype=np.int32),
        rating=np.asarray(ratings, dtype=np.float32),
        ts=np.asarray(stamps, dtype=np.int64),
        user_ids=list(user_index),
        item_ids=items,
        titles=titles,
        genres=genres,
    )


def _read_items(path: Path) -> tuple[list[str], list[str], list[list[str]]]:
    ids: list[str] = []
    titles: list[str] = []
    genres: list[list[str]] = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        next(fh)  # item_id:token movie_title:token_seq release_year:token class:token_seq
        for line in fh:
            fields = line.rstrip("\n").split("\t")
            ids.append(fields[0])
            titles.append(fields[1] if len(fields) > 1 else "")
            # Genre names carry no spaces ("Sci-Fi", "Children's"): the sequence splits on them.
            genres.append(fields[3].split() if len(fields) > 3 else [])
    return ids, titles, genres
