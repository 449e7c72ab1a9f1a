from typing import Any

from app.cleaning.dedup import seen_before


def test_repeat_within_window_is_a_duplicate() -> None:
    state: dict[str, Any] = {}
    assert not seen_before(state, "e1", 1_000, window_ms=60_000)
    assert seen_before(state, "e1", 30_000, window_ms=60_000)


def test_repeat_after_window_is_new_and_old_ids_are_pruned() -> None:
    state: dict[str, Any] = {}
    for i in range(100):
        seen_before(state, f"e{i}", i, window_ms=10)
    assert not seen_before(state, "e0", 5_000, window_ms=10)
    assert len(state["seen"]) < 100
