from __future__ import annotations

from pathlib import Path

import pytest

from app.vectors.backfill import Checkpoint
from app.vectors.errors import BackfillError
from app.vectors.sources import price_band


def test_a_checkpoint_round_trips_and_belongs_to_one_collection(tmp_path: Path) -> None:
    cp = Checkpoint(tmp_path / "cp.json")
    assert cp.load("c1") == (None, 0)
    cp.save("c1", "P000010", 10)
    assert cp.load("c1") == ("P000010", 10)
    with pytest.raises(BackfillError, match="belongs to 'c1'"):
        cp.load("c2")
    cp.clear()
    assert cp.load("c2") == (None, 0)


@pytest.mark.parametrize(
    ("amount", "band"),
    [(None, "unknown"), (9.99, "lt25"), (25.0, "25_100"), (249.0, "100_250"), (900, "gte250")],
)
def test_price_bands(amount: float | None, band: str) -> None:
    assert price_band(amount) == band
