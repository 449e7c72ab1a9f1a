from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from app.profiles import fields as F
from app.profiles.errors import ProfileError, PurposeRefused
from app.profiles.store import check_purpose
from app.profiles.validate import InvalidField, check_value

STORED = {
    "full_name": "Ada Lovelace",
    "email": "ada@example.com",
    "phone": "+44 1",
    "birth_date": "1985-12-10",
    "gender": "f",
    "postal_code": "SW1A 1AA",
    "price_band": "25-50",
    "preferred_brands": ["acme"],
    "frame_styles": ["round"],
    "contact_channel": "email",
    "right_sphere": -2.25,
    "right_cylinder": -0.5,
    "right_axis": 90,
    "left_sphere": -1.75,
    "left_cylinder": 0.0,
    "left_axis": 0,
    "lens_type": "single_vision",
    "expires_on": "2030-01-01",
    "service_history": [{"kind": "eye_exam"}],
}
TODAY = date(2025, 12, 9)


def test_personalization_gets_ranges_and_preferences_not_identity() -> None:
    out = F.minimize("personalization", STORED, TODAY)
    assert out == {
        "price_band": "25-50",
        "preferred_brands": ["acme"],
        "frame_styles": ["round"],
        "lens_type": "single_vision",
        "sphere_range": [-2.25, -1.75],
        "cylinder_range": [-0.5, 0.0],
        "prescription_valid": True,
    }


def test_analytics_gets_bands_not_identifiers() -> None:
    out = F.minimize("analytics", STORED, TODAY)
    assert out == {"age_band": "30-39", "gender": "f", "postal_area": "SW", "price_band": "25-50"}


def test_age_band_counts_the_birthday() -> None:
    assert F.derive("age_band", {"birth_date": "1985-12-10"}, date(2025, 12, 10)) == "40-49"
    assert F.derive("age_band", {"birth_date": "1985-12-10"}, date(2025, 12, 9)) == "30-39"


def test_service_gets_contact_and_prescription_not_birth_date() -> None:
    out = F.minimize("service", STORED, TODAY)
    assert "birth_date" not in out
    assert "preferred_brands" not in out
    assert out["right_axis"] == 90
    assert out["service_history"] == [{"kind": "eye_exam"}]


def test_export_gets_every_stored_field() -> None:
    assert set(F.minimize("export", STORED, TODAY)) == set(STORED)


@pytest.mark.parametrize("purpose", ["personalization", "analytics"])
def test_no_direct_identifier_leaves_for(purpose: str) -> None:
    assert not {"full_name", "email", "phone", "birth_date", "postal_code"} & set(
        F.ALLOWED[purpose]
    )


def test_only_needed_columns_are_decrypted() -> None:
    assert set(F.stored_needed("analytics")) == {
        "birth_date",
        "gender",
        "postal_code",
        "price_band",
    }


def test_encrypted_columns_cover_every_stored_field() -> None:
    for f in F.STORED.values():
        assert f.column in F.ENCRYPTED[f.table]


def test_docs_table_matches_the_code() -> None:
    doc = (Path(__file__).resolve().parents[4] / "docs" / "privacy.md").read_text()
    for purpose in ("personalization", "analytics"):
        row = re.search(rf"^\| {purpose} +\| ([^|]+)\|", doc, re.M)
        assert row is not None, f"docs/privacy.md has no minimization row for {purpose}"
        assert {s.strip() for s in row[1].split(",")} == set(F.ALLOWED[purpose])


def test_roles_and_purposes() -> None:
    check_purpose("analyst", "analytics")
    check_purpose("service", "personalization")
    check_purpose("admin", "export")
    with pytest.raises(PurposeRefused, match="allowed: analytics"):
        check_purpose("analyst", "personalization")
    with pytest.raises(PurposeRefused):
        check_purpose("service", "export")
    with pytest.raises(PurposeRefused, match="allowed: none"):
        check_purpose("ingest", "analytics")
    with pytest.raises(ProfileError, match="Unknown purpose"):
        check_purpose("admin", "fun")


@pytest.mark.parametrize(
    ("name", "value", "match"),
    [
        ("shoe_size", 42, "not a profile field"),
        ("right_sphere", -2.3, "multiple of 0.25"),
        ("right_sphere", "x", "send a number"),
        ("right_axis", 181, "from 0 to 180"),
        ("lens_type", "monocle", "send one of"),
        ("birth_date", "10/12/1985", "ISO date"),
        ("preferred_brands", "acme", "list of strings"),
        ("full_name", "", "non-empty"),
    ],
)
def test_invalid_values_name_the_field(name: str, value: object, match: str) -> None:
    with pytest.raises(InvalidField, match=match):
        check_value(name, value)


def test_valid_values_are_normalized() -> None:
    assert check_value("right_axis", 90.0) == 90
    assert check_value("right_sphere", -2) == -2.0
    assert check_value("full_name", "  Ada ") == "Ada"
    assert check_value("email", None) is None
