from __future__ import annotations

import random
from pathlib import Path

import pytest

from app.recommend import stats
from app.recommend.errors import ExperimentError
from app.recommend.experiments import (
    Experiment,
    Experiments,
    MemoryExperimentStore,
    Variant,
    assign,
    load_config,
    report,
)


def exp(split: float = 0.5, window: float = 100.0) -> Experiment:
    return Experiment(
        id="e1",
        control="A",
        variants=(Variant("A", split), Variant("B", 1 - split, weights={"learned": 2.0})),
        window_seconds=window,
    )


@pytest.mark.parametrize("split", [0.5, 0.2])
def test_assignment_split_within_tolerance_and_deterministic(split: float) -> None:
    e = exp(split)
    got = [assign(e, f"user-{n}").name for n in range(10_000)]
    assert abs(got.count("A") / 10_000 - split) < 0.02
    assert [assign(e, f"user-{n}").name for n in range(100)] == got[:100]


def test_assignment_depends_on_the_experiment() -> None:
    a, b = exp(), Experiment(id="e2", control="A", variants=exp().variants)
    same = sum(assign(a, f"u{n}").name == assign(b, f"u{n}").name for n in range(2000))
    assert 800 < same < 1200  # independent, not identical


def test_definitions_are_validated() -> None:
    with pytest.raises(ExperimentError, match="sum to 1"):
        Experiment(id="x", control="A", variants=(Variant("A", 0.5), Variant("B", 0.6)))
    with pytest.raises(ExperimentError, match="control"):
        Experiment(id="x", control="C", variants=(Variant("A", 0.5), Variant("B", 0.5)))
    with pytest.raises(ExperimentError, match="malformed"):
        Experiment.from_dict({"id": "x"})


def test_load_config_toml_and_json(tmp_path: Path) -> None:
    toml = tmp_path / "e.toml"
    toml.write_text(
        '[[experiments]]\nid = "t"\ncontrol = "A"\n'
        '[[experiments.variants]]\nname = "A"\ntraffic = 0.5\n'
        '[[experiments.variants]]\nname = "B"\ntraffic = 0.5\nruleset = "diverse"\n'
    )
    js = tmp_path / "e.json"
    js.write_text(
        '[{"id": "j", "variants": [{"name": "A", "traffic": 1}, {"name": "B", "traffic": 0}]}]'
    )
    (t,) = load_config(toml)
    (j,) = load_config(js)
    assert t.variant("B").ruleset == "diverse"
    assert j.control == "A"


async def hand_counted(store: MemoryExperimentStore) -> None:
    """A: 3 exposures; B: 2. Outcomes below; the expected counts are in the test."""
    await store.create(exp())
    await store.log_exposure("e1", "A", "u1", ["a", "b"], 0.0)
    await store.log_exposure("e1", "A", "u2", ["a"], 0.0)
    await store.log_exposure("e1", "A", "u1", ["c"], 50.0)
    await store.log_exposure("e1", "B", "u3", ["a", "b"], 0.0)
    await store.log_exposure("e1", "B", "u4", ["b"], 0.0)
    for user, item, kind, ts in [
        ("u1", "a", "view", 10.0),   # A#1 click
        ("u1", "a", "view", 11.0),   # same exposure, counted once
        ("u1", "b", "order", 20.0),  # A#1 order
        ("u2", "z", "view", 5.0),    # not a shown item: nothing
        ("u1", "c", "cart", 200.0),  # A#3 but after the 100 s window: nothing
        ("u3", "a", "view", 1.0),    # B#1 click
        ("u3", "b", "cart", 2.0),    # B#1 cart
        ("u4", "b", "view", 3.0),    # B#2 click
        ("u4", "b", "order", 4.0),   # B#2 order
        ("u4", "b", "rating", 4.0),  # not an outcome kind
    ]:  # fmt: skip
        await store.log_event(user, item, kind, ts)


async def test_report_matches_a_hand_count() -> None:
    store = MemoryExperimentStore()
    await hand_counted(store)
    r = await report(store, "e1")
    a, b = r["variants"]["A"], r["variants"]["B"]
    assert (a["exposures"], a["users"], a["clicks"], a["add_to_carts"], a["orders"]) == (
        3, 2, 1, 0, 1,
    )  # fmt: skip
    assert (b["exposures"], b["users"], b["clicks"], b["add_to_carts"], b["orders"]) == (
        2, 2, 2, 1, 1,
    )  # fmt: skip
    assert a["ctr"] == pytest.approx(1 / 3)
    assert b["ctr"] == 1.0
    assert b["conversion"] == 0.5
    assert b["vs_control"]["ctr"]["difference"] == pytest.approx(2 / 3)
    assert b["vs_control"]["conversion"]["relative_uplift"] == pytest.approx(0.5)
    assert "vs_control" not in a
    assert not r["sequential_test"]["can_stop"]


async def test_stop_rolls_back_to_control() -> None:
    store = MemoryExperimentStore()
    await store.create(exp())
    ex = Experiments(store)
    await ex.refresh()
    assert ex.assignment("u") is not None
    stopped = await ex.stop("e1", "B hurt conversion")
    assert stopped.status == "stopped"
    assert ex.assignment("u") is None
    assert {assign(stopped, f"u{n}").name for n in range(200)} == {"A"}


def _simulate(p0: float, p1: float, n: int, seed: int) -> float:
    """Smallest always-valid p over looks every 100 exposures per arm."""
    rng = random.Random(seed)
    s0 = s1 = 0
    best = 1.0
    for t in range(1, n + 1):
        s0 += rng.random() < p0
        s1 += rng.random() < p1
        if t % 100 == 0:
            best = min(best, stats.msprt_p_value(s1, t, s0, t, tau2=1e-3))
    return best


def test_sequential_test_stops_a_real_effect_early() -> None:
    assert _simulate(0.10, 0.20, 2000, seed=1) < 0.05


def test_sequential_test_keeps_false_positives_rare_despite_peeking() -> None:
    false = sum(_simulate(0.1, 0.1, 2000, seed=s) < 0.05 for s in range(40))
    assert false <= 4  # alpha 5% of 40, with slack for the normal approximation


def test_intervals() -> None:
    d = stats.diff_interval(50, 100, 40, 100)
    assert d is not None
    assert d.low < 0.1 < d.high
    rel, ci = stats.relative_uplift(50, 100, 40, 100)
    assert rel == pytest.approx(0.25)
    assert ci.low < 0.25 < ci.high
