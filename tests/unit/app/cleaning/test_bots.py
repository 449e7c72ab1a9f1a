import numpy as np
import pytest

from app.cleaning.bots import (
    AnomalyModel,
    SessionStats,
    blend,
    human_training_features,
    is_bot_user_agent,
    rule_score,
)


def session(gaps_s: list[float], js: bool = True, ua_bot: bool = False) -> SessionStats:
    s, t = SessionStats(), 0.0
    for gap in [0.0, *gaps_s]:
        t += gap
        s.update(int(t * 1000), js=js, ua_bot=ua_bot)
    return s


def test_running_stats_match_numpy() -> None:
    gaps = [3.0, 10.0, 1.5, 7.25, 20.0]
    s = session(gaps)
    assert s.count == 6
    assert s.gap_mean == pytest.approx(np.mean(gaps))
    assert s.gap_m2 / (len(gaps) - 1) == pytest.approx(np.var(gaps, ddof=1))


def test_state_round_trips_through_a_list() -> None:
    s = session([1, 2, 3])
    assert SessionStats.from_list(s.as_list()) == s


def test_a_steady_scriptless_scraper_fires_the_rules() -> None:
    score, fired = rule_score(session([1.0] * 20, js=False))
    assert score == 1.0
    assert {"high_rate", "regular_timing", "no_asset_loads"} <= set(fired)


def test_a_bot_user_agent_fires_alone() -> None:
    assert rule_score(session([30.0], ua_bot=True)) == (1.0, ["bot_user_agent"])


def test_a_human_session_fires_nothing() -> None:
    assert rule_score(session([12.0, 40.0, 5.0, 90.0, 22.0])) == (0.0, [])


@pytest.fixture(scope="module")
def model() -> AnomalyModel:
    return AnomalyModel()


def test_model_scores_scrapers_above_humans(model: AnomalyModel) -> None:
    humans = model.score(human_training_features(300, seed=99))
    scraper = model.score(np.asarray([session([0.5] * 40, js=False).features()]))
    assert float(np.mean(humans > 0.5)) < 0.05
    assert scraper[0] > 0.5


def test_blend_needs_a_rule_or_a_strong_model_score() -> None:
    assert blend(0.0, 1.0) < 0.5
    assert blend(1.0, 0.0) >= 0.5
    assert blend(0.4, 0.6) >= 0.5


def test_bot_user_agents_are_recognised_case_insensitively() -> None:
    assert is_bot_user_agent("Mozilla/5.0 (compatible; Googlebot/2.1)")
    assert is_bot_user_agent("python-requests/2.31")
    assert is_bot_user_agent("HeadlessChrome/120.0")
    assert not is_bot_user_agent("Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Safari/605.1.15")
    assert not is_bot_user_agent("")
