"""Profile maths: counts, session counts, per-minute history, trends and focus areas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from speaking_pipeline.domain.profile import InsightFact, SessionFacts, compute_profile, trend_of

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _session(n: int, *facts: tuple[str, int], minutes: float = 2.0) -> SessionFacts:
    return SessionFacts(
        session_id=f"s{n:02d}",
        created_at=T0 + timedelta(days=n),
        duration_secs=minutes * 60,
        insights=tuple(InsightFact(code, code.split(".")[0], code, freq) for code, freq in facts),
    )


def test_count_is_sum_of_frequencies_and_sessions_counts_sessions_showing_it() -> None:
    sessions = [
        _session(1, ("vocabulary.filler_words", 6), ("grammar.past_tense", 3)),
        _session(2, ("vocabulary.filler_words", 4)),
        _session(3),
    ]
    patterns, focus = compute_profile(sessions)
    fillers = patterns["vocabulary.filler_words"]
    assert (fillers["count"], fillers["sessions"]) == (10, 2)
    assert (
        patterns["grammar.past_tense"]["count"],
        patterns["grammar.past_tense"]["sessions"],
    ) == (3, 1)
    # One history point per analysed session, zero where the code was absent.
    assert [h["frequency"] for h in fillers["history"]] == [6, 4, 0]
    assert [h["rate"] for h in fillers["history"]] == [3.0, 2.0, 0.0]
    assert focus[0]["code"] == "vocabulary.filler_words"


def test_recomputation_is_order_independent_and_never_double_counts() -> None:
    sessions = [_session(i, ("structure.run_on_sentences", i)) for i in range(1, 6)]
    first, _ = compute_profile(sessions)
    again, _ = compute_profile(list(reversed(sessions)))
    assert first == again
    assert first["structure.run_on_sentences"]["count"] == 15


def test_fillers_falling_from_12_to_2_per_minute_over_ten_sessions_is_improving() -> None:
    per_minute = [12, 11, 10, 9, 7, 6, 5, 4, 3, 2]
    sessions = [
        _session(i, ("vocabulary.filler_words", rate * 2), minutes=2.0)
        for i, rate in enumerate(per_minute)
    ]
    patterns, focus = compute_profile(sessions)
    fillers = patterns["vocabulary.filler_words"]
    assert [h["rate"] for h in fillers["history"]] == [float(r) for r in per_minute]
    assert fillers["trend"] == "improving"
    assert focus[0]["trend"] == "improving"


def test_trend_rules() -> None:
    assert trend_of([2.0, 6.0, 10.0]) == "worsening"
    assert trend_of([5.0, 5.2, 4.9, 5.1]) == "steady"
    assert trend_of([0.0, 0.0, 0.0]) == "steady"
    assert trend_of([9.0, 1.0]) is None  # too few sessions to call it
    # Only the recent window counts: an old spike does not mask a recent rise.
    assert trend_of([30.0, 1.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]) == "worsening"


def test_focus_areas_prefer_patterns_seen_in_more_sessions() -> None:
    sessions = [
        _session(1, ("grammar.article_omission", 2), ("vocabulary.hedging", 20)),
        _session(2, ("grammar.article_omission", 2)),
        _session(3, ("grammar.article_omission", 2), ("structure.false_starts", 3)),
    ]
    _, focus = compute_profile(sessions)
    assert [f["code"] for f in focus] == [
        "grammar.article_omission",
        "vocabulary.hedging",
        "structure.false_starts",
    ]


def test_empty_history_gives_an_empty_profile() -> None:
    assert compute_profile([]) == ({}, [])
