"""Every personal field, where it is stored, and which fields each purpose receives.

This is the data-minimization table (also in docs/privacy.md; a unit test holds the two in
step). A purpose gets only its fields; *derived* fields (``age_band``, ``sphere_range``) are
computed from stored ones so that, for example, personalization learns the range of a
prescription but not its exact values, and analytics an age band but not a birth date.

=============== ===========================================================================
purpose         fields
=============== ===========================================================================
personalization price_band, preferred_brands, frame_styles, lens_type, sphere_range,
                cylinder_range, prescription_valid
service         full_name, email, phone, contact_channel, every prescription field,
                service_history
analytics       age_band, gender, postal_area, price_band
export          everything stored (GDPR access; admin only, through the export endpoint)
=============== ===========================================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

PURPOSES = ("personalization", "service", "analytics", "export")


@dataclass(frozen=True)
class Field:
    name: str
    table: str
    column: str
    data_class: str


def _f(name: str, table: str, data_class: str, column: str | None = None) -> Field:
    return Field(name, table, column or name, data_class)


#: Stored fields, by API name. Preferences share one encrypted JSON column.
STORED: dict[str, Field] = {
    f.name: f
    for f in (
        _f("full_name", "user_profiles", "demographic"),
        _f("email", "user_profiles", "demographic"),
        _f("phone", "user_profiles", "demographic"),
        _f("birth_date", "user_profiles", "demographic"),
        _f("gender", "user_profiles", "demographic"),
        _f("postal_code", "user_profiles", "demographic"),
        _f("price_band", "user_profiles", "preference", "preferences"),
        _f("preferred_brands", "user_profiles", "preference", "preferences"),
        _f("frame_styles", "user_profiles", "preference", "preferences"),
        _f("contact_channel", "user_profiles", "preference", "preferences"),
        _f("right_sphere", "prescriptions", "prescription"),
        _f("right_cylinder", "prescriptions", "prescription"),
        _f("right_axis", "prescriptions", "prescription"),
        _f("left_sphere", "prescriptions", "prescription"),
        _f("left_cylinder", "prescriptions", "prescription"),
        _f("left_axis", "prescriptions", "prescription"),
        _f("lens_type", "prescriptions", "prescription"),
        _f("expires_on", "prescriptions", "prescription"),
    )
}
PREFERENCES = tuple(n for n, f in STORED.items() if f.column == "preferences")
PRESCRIPTION = tuple(n for n, f in STORED.items() if f.table == "prescriptions")

#: Encrypted columns per table (what rotation re-encrypts and the no-clear-text test checks).
ENCRYPTED: dict[str, tuple[str, ...]] = {
    "user_profiles": tuple(
        dict.fromkeys(f.column for f in STORED.values() if f.table == "user_profiles")
    ),
    "prescriptions": tuple(f.column for f in STORED.values() if f.table == "prescriptions"),
    "service_history": ("notes",),
}
#: The primary key of each table with encrypted columns.
ROW_KEY = {
    "user_profiles": "user_key",
    "prescriptions": "user_key",
    "service_history": "service_id",
}

#: Fields computed from stored ones, with the stored fields they need.
DERIVED: dict[str, tuple[str, ...]] = {
    "age_band": ("birth_date",),
    "postal_area": ("postal_code",),
    "sphere_range": ("right_sphere", "left_sphere"),
    "cylinder_range": ("right_cylinder", "left_cylinder"),
    "prescription_valid": ("expires_on",),
}

SERVICE_HISTORY = "service_history"

ALLOWED: dict[str, tuple[str, ...]] = {
    "personalization": (
        "price_band",
        "preferred_brands",
        "frame_styles",
        "lens_type",
        "sphere_range",
        "cylinder_range",
        "prescription_valid",
    ),
    "service": ("full_name", "email", "phone", "contact_channel", *PRESCRIPTION, SERVICE_HISTORY),
    "analytics": ("age_band", "gender", "postal_area", "price_band"),
    "export": (*STORED, SERVICE_HISTORY),
}

#: The purposes each role may read for (admin: all of them).
ROLE_PURPOSES: dict[str, tuple[str, ...]] = {
    "service": ("personalization", "service", "analytics"),
    "analyst": ("analytics",),
    "admin": PURPOSES,
}


def stored_needed(purpose: str) -> tuple[str, ...]:
    """The stored fields to decrypt for ``purpose`` (derived fields expanded)."""
    out: dict[str, None] = {}
    for name in ALLOWED[purpose]:
        for source in DERIVED.get(name, (name,)):
            if source in STORED:
                out[source] = None
    return tuple(out)


def derive(name: str, stored: dict[str, Any], today: date) -> Any:
    """The value of derived field ``name`` from decrypted ``stored`` fields (None if unknown)."""
    if name == "age_band":
        born = stored.get("birth_date")
        if not born:
            return None
        b = date.fromisoformat(str(born))
        age = today.year - b.year - ((today.month, today.day) < (b.month, b.day))
        low = age // 10 * 10
        return f"{low}-{low + 9}"
    if name == "postal_area":
        code = stored.get("postal_code")
        return str(code)[:2] if code else None
    if name in ("sphere_range", "cylinder_range"):
        values = [float(stored[s]) for s in DERIVED[name] if stored.get(s) is not None]
        return [min(values), max(values)] if values else None
    if name == "prescription_valid":
        expires = stored.get("expires_on")
        return None if not expires else date.fromisoformat(str(expires)) >= today
    raise KeyError(name)


def minimize(purpose: str, stored: dict[str, Any], today: date) -> dict[str, Any]:
    """The fields ``purpose`` may see that hold a value (stored, derived, service history)."""
    out: dict[str, Any] = {}
    for name in ALLOWED[purpose]:
        value = derive(name, stored, today) if name in DERIVED else stored.get(name)
        # Absent stays absent: the access log then lists only fields that really left.
        if value is not None:
            out[name] = value
    return out
