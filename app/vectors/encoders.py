"""Encoders turn products (content) or sessions (behaviour) into unit vectors.

:class:`Encoder` is the pluggable interface: a sentence-embedding model can replace
:class:`TfidfSvdEncoder` later by implementing ``fit``/``transform`` and naming its ``version``
(the version names the Milvus collection it writes, so two models never mix in one index).
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, Self, TypeVar

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer

from app.vectors.errors import VectorError

Matrix = npt.NDArray[np.float32]
F = TypeVar("F", contravariant=True)
T = TypeVar("T", contravariant=True)
E = TypeVar("E")

_VERSION = re.compile(r"^[A-Za-z0-9_]{1,48}$")


class Encoder(Protocol[F, T]):
    """Fit on ``F`` (products, sessions), encode ``T`` (products, product ids) as unit rows."""

    version: str
    dim: int

    def fit(self, data: Iterable[F]) -> Self: ...

    def transform(self, items: Sequence[T]) -> Matrix: ...


def check_version(version: str) -> str:
    """Versions become part of collection names: letters, digits and underscores only."""
    if not _VERSION.match(version):
        raise VectorError(
            f"model version {version!r} is not usable in a collection name; use 1-48 letters, "
            "digits or underscores (for example 'tfidf64_v2')"
        )
    return version


def _unit_rows(m: npt.NDArray[Any], dim: int) -> Matrix:
    """Pad to ``dim`` columns (tiny corpora give fewer components) and L2-normalize rows."""
    out = np.zeros((m.shape[0], dim), dtype=np.float32)
    out[:, : m.shape[1]] = m[:, :dim]
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    # Zero rows (no known word, unseen item) stay zero: validation refuses and counts them.
    return np.divide(out, norms, out=out, where=norms > 0)


def product_text(product: Mapping[str, Any]) -> str:
    """The text a content encoder reads: name, brand, description, category and attributes."""
    parts = [str(product.get(k) or "") for k in ("name", "brand", "description")]
    category = str(product.get("category_id") or product.get("category") or "")
    parts.append(category.replace("-", " ").replace("_", " "))
    parts.append(f"cat_{category}")
    attrs = product.get("attributes") or {}
    for key, value in sorted(attrs.items()) if isinstance(attrs, Mapping) else ():
        parts.append(f"{key}_{value}".replace(" ", "_").lower())
    return " ".join(p for p in parts if p)


class TfidfSvdEncoder:
    """TF-IDF over product text and attributes, reduced by truncated SVD (LSA) to ``dim``."""

    def __init__(self, dim: int = 64, version: str = "tfidf64_v1", *, seed: int = 0) -> None:
        self.dim = dim
        self.version = check_version(version)
        self._tfidf = TfidfVectorizer(sublinear_tf=True, min_df=1, token_pattern=r"[\w.]+")
        self._svd: TruncatedSVD | None = None
        self._seed = seed

    def fit(self, data: Iterable[Mapping[str, Any]]) -> Self:
        x = self._tfidf.fit_transform([product_text(p) for p in data])
        components = max(1, min(self.dim, x.shape[0] - 1, x.shape[1] - 1))
        self._svd = TruncatedSVD(n_components=components, random_state=self._seed).fit(x)
        return self

    def transform(self, items: Sequence[Mapping[str, Any]]) -> Matrix:
        if self._svd is None:
            raise VectorError(f"encoder {self.version} is not fitted; call fit() or load() first")
        x = self._tfidf.transform([product_text(p) for p in items])
        return _unit_rows(self._svd.transform(x), self.dim)


class CooccurrenceEncoder:
    """Behavioural product vectors: truncated SVD of the shifted positive PMI matrix.

    Two products co-occur when one session touched both. ``partial_update`` adds sessions to the
    counts (after multiplying the old counts by ``decay`` so old habits fade); the vectors are
    recomputed by :meth:`recompute` (a command or a timer), because an SVD per event is neither
    cheap nor useful. ``shift`` is log(k) of SGNS-style negative sampling (Levy & Goldberg 2014).
    """

    def __init__(
        self,
        dim: int = 64,
        version: str = "cooc64_v1",
        *,
        shift: float = 1.0,
        max_session: int = 50,
        seed: int = 0,
    ) -> None:
        self.dim = dim
        self.version = check_version(version)
        self.shift = shift
        self.max_session = max_session
        self._seed = seed
        self._index: dict[str, int] = {}
        self._pairs = sparse.csr_matrix((0, 0), dtype=np.float64)
        self._vectors: Matrix = np.zeros((0, dim), dtype=np.float32)

    @property
    def items(self) -> list[str]:
        return list(self._index)

    def fit(self, data: Iterable[Sequence[str]]) -> Self:
        self._index = {}
        self._pairs = sparse.csr_matrix((0, 0), dtype=np.float64)
        self.partial_update(data)
        self.recompute()
        return self

    def partial_update(self, sessions: Iterable[Sequence[str]], decay: float = 1.0) -> int:
        """Add co-occurrence counts of ``sessions``; return how many sessions counted."""
        rows: list[int] = []
        cols: list[int] = []
        counted = 0
        for session in sessions:
            ids = [self._index.setdefault(i, len(self._index)) for i in dict.fromkeys(session)]
            ids = ids[-self.max_session :]  # a bot-like 500-item session must not dominate
            if len(ids) < 2:
                continue
            counted += 1
            a = np.repeat(ids, len(ids))
            b = np.tile(ids, len(ids))
            keep = a != b
            rows.extend(a[keep].tolist())
            cols.extend(b[keep].tolist())
        n = len(self._index)
        old = self._pairs * decay if decay != 1.0 else self._pairs
        old.resize((n, n))
        new = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
        self._pairs = (old + new).tocsr()
        return counted

    def recompute(self) -> None:
        """Derive the vectors from the current counts (SPPMI then truncated SVD)."""
        n = len(self._index)
        if n < 2 or self._pairs.nnz == 0:
            self._vectors = np.zeros((n, self.dim), dtype=np.float32)
            return
        coo = self._pairs.tocoo()
        item = np.asarray(self._pairs.sum(axis=1)).ravel()
        total = float(item.sum())
        pmi = np.log(coo.data * total / (item[coo.row] * item[coo.col])) - self.shift
        keep = pmi > 0
        sppmi = sparse.csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=(n, n))
        components = max(1, min(self.dim, n - 1))
        svd = TruncatedSVD(n_components=components, random_state=self._seed)
        u = svd.fit_transform(sppmi) if sppmi.nnz else np.zeros((n, 1))
        # U * sqrt(S) rather than U * S: symmetric weighting works better for similarity.
        scaled = u / np.sqrt(np.maximum(svd.singular_values_, 1e-12)) if sppmi.nnz else u
        self._vectors = _unit_rows(scaled, self.dim)

    def transform(self, items: Sequence[str]) -> Matrix:
        """Vectors of product ids; an id never seen in a session gets a zero row."""
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        for row, item in enumerate(items):
            i = self._index.get(item)
            if i is not None and i < self._vectors.shape[0]:
                out[row] = self._vectors[i]
        return out


def save(encoder: object, path: Path) -> None:
    """Pickle a fitted encoder (a local, trusted file written by our own commands)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(encoder))
    tmp.replace(path)


def load(path: Path, kind: type[E]) -> E:
    obj = pickle.loads(path.read_bytes())  # our own file, see save()
    if not isinstance(obj, kind):
        raise VectorError(f"{path} holds a {type(obj).__name__}, expected {kind.__name__}")
    return obj
