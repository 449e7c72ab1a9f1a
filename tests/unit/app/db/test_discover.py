from __future__ import annotations

from pathlib import Path

import pytest

from app.db.migrate import MigrationError, discover


def test_shipped_migrations_are_consecutive() -> None:
    versions = [m.version for m in discover()]
    assert versions == list(range(1, len(versions) + 1))
    assert len(versions) >= 4


def test_misnamed_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "1_init.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="NNNN_lower_snake_name"):
        discover(tmp_path)


def test_gap_is_refused(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("SELECT 1;")
    (tmp_path / "0003_c.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="expected version 0002"):
        discover(tmp_path)


def test_checksum_follows_content(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("SELECT 1;")
    before = discover(tmp_path)[0].checksum
    (tmp_path / "0001_a.sql").write_text("SELECT 2;")
    assert discover(tmp_path)[0].checksum != before
