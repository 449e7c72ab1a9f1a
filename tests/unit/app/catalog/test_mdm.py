"""Survivorship rules as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from app.catalog.mdm import FieldRule, Golden, Lineage, SourceRecord, Survivorship, merge

T0 = datetime(2025, 1, 1, tzinfo=UTC)
RULES = Survivorship(
    rules={"name": FieldRule("priority", ("pim", "supplier")), "price_hint": FieldRule()},
    source_priority=("pim", "supplier", "marketplace"),
)


def rec(source: str, minutes: int, **values: object) -> SourceRecord:
    return SourceRecord(source, T0 + timedelta(minutes=minutes), values)


def test_priority_beats_recency() -> None:
    golden = merge([rec("supplier", 10, name="Newer"), rec("pim", 0, name="Curated")], RULES)
    assert golden.values["name"] == "Curated"
    assert golden.lineage["name"] == Lineage("pim", T0)


def test_most_recent_wins_for_other_fields() -> None:
    golden = merge([rec("pim", 0, color="red"), rec("marketplace", 5, color="blue")], RULES)
    assert golden.values["color"] == "blue"
    assert golden.lineage["color"].source == "marketplace"


def test_null_never_overwrites() -> None:
    golden = merge([rec("pim", 0, name=None, color="red"), rec("supplier", 9, name="S")], RULES)
    assert golden.values["name"] == "S"
    previous = Golden({"brand": "Kept"}, {"brand": Lineage("pim", T0)})
    golden = merge([rec("supplier", 30, brand=None)], RULES, previous)
    assert golden.values["brand"] == "Kept"
    assert golden.lineage["brand"] == Lineage("pim", T0)


def test_unlisted_source_ranks_after_listed_ones() -> None:
    golden = merge([rec("scraper", 99, name="Scraped"), rec("supplier", 0, name="S")], RULES)
    assert golden.values["name"] == "S"


def test_attributes_merge_per_attribute() -> None:
    golden = merge(
        [rec("pim", 0, attributes={"a": 1, "b": None}), rec("supplier", 5, attributes={"b": 2})],
        RULES,
    )
    assert golden.values == {"attributes.a": 1, "attributes.b": 2}
    assert golden.lineage["attributes.b"].source == "supplier"


sources = st.sampled_from(["pim", "supplier", "marketplace", "scraper"])
values = st.one_of(st.none(), st.integers(0, 3))
records = st.lists(
    st.builds(
        lambda s, m, name, color: rec(s, m, name=name, color=color),
        sources,
        st.integers(0, 100),
        values,
        values,
    ),
    max_size=8,
)


@given(records, st.randoms())
def test_order_of_arrival_does_not_matter(rs: list[SourceRecord], rnd: object) -> None:
    shuffled = list(rs)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert merge(rs, RULES) == merge(shuffled, RULES)


@given(records)
def test_survivor_is_a_non_null_candidate_with_true_lineage(rs: list[SourceRecord]) -> None:
    golden = merge(rs, RULES)
    for name in ("name", "color"):
        offered = [r for r in rs if r.values.get(name) is not None]
        if not offered:
            assert name not in golden.values
            continue
        lineage = golden.lineage[name]
        assert any(
            (r.source, r.observed_at, r.values[name])
            == (lineage.source, lineage.observed_at, golden.values[name])
            for r in offered
        )


@given(records)
def test_priority_and_recency_rules_hold(rs: list[SourceRecord]) -> None:
    golden = merge(rs, RULES)
    names = [r for r in rs if r.values.get("name") is not None]
    pim = [r for r in names if r.source == "pim"]
    if pim:
        assert golden.lineage["name"].source == "pim"
        assert golden.lineage["name"].observed_at == max(r.observed_at for r in pim)
    colors = [r for r in rs if r.values.get("color") is not None]
    if colors:
        assert golden.lineage["color"].observed_at == max(r.observed_at for r in colors)


@given(records, st.lists(sources, max_size=3))
def test_all_null_records_change_nothing(rs: list[SourceRecord], nulls: list[str]) -> None:
    extra = [rec(s, 1000, name=None, color=None) for s in nulls]
    assert merge(rs + extra, RULES) == merge(rs, RULES)
