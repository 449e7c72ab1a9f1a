from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.vectors.encoders import (
    CooccurrenceEncoder,
    Encoder,
    TfidfSvdEncoder,
    load,
    product_text,
    save,
)
from app.vectors.errors import VectorError

PRODUCTS = [
    {"product_id": f"P{i}", "name": name, "brand": brand, "category_id": cat, "attributes": attrs}
    for i, (name, brand, cat, attrs) in enumerate(
        [
            ("aviator sunglasses gold", "Ray", "sunglasses", {"lens": "polarized"}),
            ("aviator sunglasses silver", "Ray", "sunglasses", {"lens": "polarized"}),
            ("round sunglasses black", "Oak", "sunglasses", {"lens": "mirror"}),
            ("daily contact lenses", "Acu", "contact-lenses", {"wear": "daily"}),
            ("monthly contact lenses", "Acu", "contact-lenses", {"wear": "monthly"}),
            ("lens cleaning spray", "Zeiss", "care", {"volume": "60ml"}),
        ]
    )
]


def test_product_text_reads_name_category_and_attributes() -> None:
    text = product_text(PRODUCTS[0])
    assert "aviator" in text
    assert "cat_sunglasses" in text
    assert "lens_polarized" in text


def test_tfidf_svd_gives_unit_vectors_where_similar_products_are_close() -> None:
    enc: Encoder[object, object] = TfidfSvdEncoder(dim=16, version="t16").fit(PRODUCTS)
    v = enc.transform(PRODUCTS)
    assert v.shape == (6, 16)  # padded: six documents give fewer than 16 components
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    sims = v @ v.T
    assert sims[0, 1] > sims[0, 3]  # two aviators are closer than aviator vs contact lenses
    assert sims[3, 4] > sims[3, 0]


def test_an_unfitted_encoder_says_so() -> None:
    with pytest.raises(VectorError, match="not fitted"):
        TfidfSvdEncoder().transform(PRODUCTS)


@pytest.mark.parametrize("version", ["", "v-1", "v 1", "x" * 49])
def test_a_version_must_fit_in_a_collection_name(version: str) -> None:
    with pytest.raises(VectorError, match="collection name"):
        TfidfSvdEncoder(version=version)


def sessions(rng: np.random.Generator, n: int) -> list[list[str]]:
    """Two communities: a* items are bought together, b* items are bought together."""
    out = []
    for _ in range(n):
        group = "a" if rng.random() < 0.5 else "b"
        out.append([f"{group}{i}" for i in rng.choice(10, size=4, replace=False)])
    return out


def test_cooccurrence_puts_items_of_one_community_together() -> None:
    rng = np.random.default_rng(0)
    enc = CooccurrenceEncoder(dim=8, version="c8", shift=0.0).fit(sessions(rng, 400))
    a = enc.transform([f"a{i}" for i in range(10)])
    b = enc.transform([f"b{i}" for i in range(10)])
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    within = float((a @ a.T)[np.triu_indices(10, 1)].mean())
    across = float((a @ b.T).mean())
    assert within > across + 0.3


def test_partial_update_learns_new_items_after_recompute() -> None:
    rng = np.random.default_rng(1)
    enc = CooccurrenceEncoder(dim=8, version="c8", shift=0.0).fit(sessions(rng, 200))
    assert not enc.transform(["c1"]).any()  # unseen: a zero row, which validation refuses
    counted = enc.partial_update([["c1", "c2", "c3"]] * 50 + [["x"]], decay=0.5)
    assert counted == 50  # a one-item session has no pair
    assert not enc.transform(["c1"]).any()  # counts changed, vectors not yet
    enc.recompute()
    c = enc.transform(["c1", "c2", "a1"])
    assert c[0] @ c[1] > c[0] @ c[2]


def test_an_encoder_survives_save_and_load(tmp_path: Path) -> None:
    enc = TfidfSvdEncoder(dim=8, version="t8").fit(PRODUCTS)
    save(enc, tmp_path / "enc.pkl")
    again = load(tmp_path / "enc.pkl", TfidfSvdEncoder)
    assert np.allclose(again.transform(PRODUCTS), enc.transform(PRODUCTS))
    with pytest.raises(VectorError, match="expected CooccurrenceEncoder"):
        load(tmp_path / "enc.pkl", CooccurrenceEncoder)
