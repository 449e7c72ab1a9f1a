"""The cleaning stage's per-key logic: de-duplication, session statistics, consent, routing."""

from __future__ import annotations

from typing import Any

from app.cleaning.bots import SessionStats
from app.stages.clean import MAX_SESSIONS_KEPT, CleanBatch, Survivor, clean_key, cleaned_output
from app.stages.skeleton import Decoded, KeyBatch
from app.wire.topics import BOTS
from tests.unit.app.stages.fakes import at, event

TABLE = "clean-state"
GRANTED = {"analytics": True, "personalization": True, "marketing": False}


def _ctx(consent: dict[str, dict[str, bool]] | None = None) -> CleanBatch:
    consent = consent or {}
    return CleanBatch(
        now=at(100),
        window_ms=60_000,
        pseudonymize=lambda identity: f"k-{len(identity)}",
        consent_of=lambda user_key: consent.get(user_key, GRANTED),
    )


def _raw(event_id: str, seconds: float, session: str = "s1", **extra: Any) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "event_type": "product_view",
        "occurred_at": at(seconds),
        "user_id": "alice",
        "session_id": session,
        "product_id": "P1",
        "properties": {"js": "1"},
        "user_agent": "Mozilla/5.0",
        **extra,
    }


def _batch(*records: dict[str, Any], state: dict[str, Any] | None = None) -> KeyBatch:
    items = [
        Decoded(event("raw.clickstream", b"alice", offset=i), r) for i, r in enumerate(records)
    ]
    return KeyBatch(b"alice", items, {TABLE: state if state is not None else {}})


def test_a_replay_within_the_window_is_dropped_once_seen() -> None:
    batch = _batch(_raw("e1", 1), _raw("e1", 2), _raw("e2", 3))
    survivors = clean_key("clickstream", _ctx(), batch, TABLE)
    assert [s.item.record["event_id"] for s in survivors] == ["e1", "e2"]
    # The next batch of the same key, read back from the state: e2 is a replay there too.
    again = _batch(_raw("e2", 4), state=batch.state[TABLE])
    assert clean_key("clickstream", _ctx(), again, TABLE) == []


def test_session_statistics_grow_per_event_and_each_survivor_keeps_its_own_copy() -> None:
    batch = _batch(_raw("e1", 1), _raw("e2", 3), _raw("e3", 6))
    survivors = clean_key("clickstream", _ctx(), batch, TABLE)
    assert [s.stats.count for s in survivors] == [1, 2, 3]
    stored = SessionStats.from_list(batch.state[TABLE]["sessions"]["s1"])
    assert stored.count == 3


def test_only_clickstream_events_feed_the_bot_statistics() -> None:
    batch = _batch(_raw("e1", 1, event_type="login"))
    clean_key("auth", _ctx(), batch, TABLE)
    assert batch.state[TABLE]["sessions"] == {}


def test_withheld_analytics_consent_drops_the_event_but_remembers_its_id() -> None:
    refused = {"k-5": {**GRANTED, "analytics": False}}
    batch = _batch(_raw("e1", 1))
    assert clean_key("clickstream", _ctx(refused), batch, TABLE) == []
    assert "e1" in batch.state[TABLE]["seen"]


def test_the_state_keeps_only_the_newest_sessions() -> None:
    records = [_raw(f"e{i}", i, session=f"s{i}") for i in range(MAX_SESSIONS_KEPT + 3)]
    batch = _batch(*records)
    clean_key("clickstream", _ctx(), batch, TABLE)
    kept = batch.state[TABLE]["sessions"]
    assert len(kept) == MAX_SESSIONS_KEPT
    assert "s0" not in kept
    assert f"s{MAX_SESSIONS_KEPT + 2}" in kept


def test_masked_free_text_replaces_the_query() -> None:
    ctx = _ctx()
    batch = _batch(_raw("e1", 1, event_type="search", query="call 555-0100"))
    ctx.masked[id(batch.items[0])] = ("call <PHONE_NUMBER>", ["PHONE_NUMBER"])
    (survivor,) = clean_key("clickstream", ctx, batch, TABLE)
    out = cleaned_output("clickstream", ctx, survivor, anomaly=0.0, threshold=0.7)
    assert out.record["query"] == "call <PHONE_NUMBER>"
    assert out.record["pii_masked"] == ["PHONE_NUMBER"]


def test_output_goes_to_the_family_topic_or_to_bots_keyed_by_pseudonym() -> None:
    ctx = _ctx()
    (survivor,) = clean_key("clickstream", ctx, _batch(_raw("e1", 1)), TABLE)
    human = cleaned_output("clickstream", ctx, survivor, anomaly=0.0, threshold=0.7)
    assert (human.topic, human.key) == ("cleaned.clickstream", b"k-5")
    assert "alice" not in str(human.record)
    bot = cleaned_output("clickstream", ctx, _scripted(survivor), anomaly=1.0, threshold=0.7)
    assert (bot.topic, bot.label) == (BOTS, "bots")
    assert bot.record["is_bot"] is True


def _scripted(s: Survivor) -> Survivor:
    stats = SessionStats()
    for i in range(30):
        stats.update(i * 500, js=False, ua_bot=True)
    return Survivor(s.item, stats, s.consent, s.query, s.entities)
