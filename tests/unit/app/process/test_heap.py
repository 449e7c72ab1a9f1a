import gc

from app.process import heap


def test_settle_freezes_what_is_alive() -> None:
    before = gc.get_freeze_count()
    keep = [object() for _ in range(1000)]
    try:
        heap.settle("a test", collect=True)
        assert gc.get_freeze_count() >= before + len(keep)
    finally:
        gc.unfreeze()


def test_tune_sets_the_thresholds() -> None:
    old = gc.get_threshold()
    try:
        heap.tune()
        assert gc.get_threshold() == heap.THRESHOLDS
    finally:
        gc.set_threshold(*old)
