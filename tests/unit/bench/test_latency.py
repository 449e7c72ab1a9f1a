from bench.bench_latency import latencies


def test_each_event_is_answered_by_the_first_list_triggered_at_or_after_it() -> None:
    produced = {"a1": 1.0, "a2": 2.0, "a3": 3.0, "b1": 1.5}
    user_of = {"a1": "A", "a2": "A", "a3": "A", "b1": "B"}
    # a2's list arrives after a3's: a1 and a2 take the earlier one (triggered by a3).
    arrivals = [("A", "a2", 3.6), ("A", "a3", 3.2), ("B", "zz", 9.0)]
    out, unanswered = latencies(produced, user_of, arrivals)
    assert sorted(round(x, 3) for x in out) == [0.2, 1.2, 2.2]
    assert unanswered == 1  # b1: its only list names an unknown trigger


def test_an_event_after_the_last_list_is_unanswered() -> None:
    out, unanswered = latencies({"a1": 1.0, "a2": 5.0}, {"a1": "A", "a2": "A"}, [("A", "a1", 1.1)])
    assert [round(x, 3) for x in out] == [0.1]
    assert unanswered == 1
