"""Fluency measures compared with hand computation on tiny recordings."""

from __future__ import annotations

import pytest

from speaking_pipeline.analysis.fluency import compute_fluency, mattr, mtld, ttr
from speaking_pipeline.transcription.base import Word


def timed(*spec: tuple[str, float, float]) -> list[Word]:
    return [Word(word=w, start=s, end=e) for w, s, e in spec]


# um 0-0.3 | I 0.5-0.6 | like 0.65-0.9 | (0.6 s pause) | tea 1.5-1.8 | very 1.85-2.1 | much -2.5
WORDS = timed(
    ("um", 0.0, 0.3),
    (" I", 0.5, 0.6),
    (" like", 0.65, 0.9),
    (" tea", 1.5, 1.8),
    (" very", 1.85, 2.1),
    (" much.", 2.1, 2.5),
)
TEXT = "Um, I like tea very much."


def test_timed_measures_match_hand_computation() -> None:
    m = compute_fluency(TEXT, WORDS, 3.0)
    assert m.word_count == 6
    assert m.speech_rate_wpm == pytest.approx(6 / (3.0 / 60))  # 120
    # Only the 0.6 s gap between "like" and "tea" reaches 250 ms (0.2 s and 0.05 s do not).
    assert m.silent_pauses_per_min == pytest.approx(1 / (3.0 / 60))  # 20
    assert m.mean_silent_pause_secs == pytest.approx(0.6)
    phonation = (2.5 - 0.0) - 0.6
    assert m.phonation_time_ratio == pytest.approx(round(phonation / 3.0, 3))
    assert m.articulation_rate_wpm == pytest.approx(round(6 / (phonation / 60), 3))
    assert m.filled_pauses_per_min == pytest.approx(1 / (3.0 / 60))
    assert m.mean_length_of_run == pytest.approx(6 / 2)
    # "I like tea very much": five different words.
    assert m.ttr == 1.0
    assert m.mattr == 1.0
    assert m.mtld is None  # no factor ever completes or starts to form


def test_timing_measures_are_none_without_word_timings() -> None:
    m = compute_fluency(TEXT, [], None)
    assert m.duration_secs is None
    for value in (
        m.speech_rate_wpm,
        m.articulation_rate_wpm,
        m.phonation_time_ratio,
        m.silent_pauses_per_min,
        m.mean_silent_pause_secs,
        m.filled_pauses_per_min,
        m.mean_length_of_run,
    ):
        assert value is None
    assert m.ttr == 1.0


def test_duration_alone_gives_rates_but_not_pauses() -> None:
    m = compute_fluency(TEXT, [], 30.0)
    assert m.speech_rate_wpm == pytest.approx(12.0)
    assert m.filled_pauses_per_min == pytest.approx(2.0)
    assert m.silent_pauses_per_min is None
    assert m.articulation_rate_wpm is None


def test_duration_falls_back_to_the_last_word() -> None:
    m = compute_fluency(TEXT, WORDS, None)
    assert m.duration_secs == pytest.approx(2.5)
    assert m.speech_rate_wpm == pytest.approx(6 / (2.5 / 60))


def test_no_pause_means_no_mean_pause_and_one_long_run() -> None:
    words = timed(("a", 0.0, 0.2), ("b", 0.3, 0.5), ("c", 0.6, 0.8))
    m = compute_fluency("a b c", words, 1.0)
    assert m.silent_pauses_per_min == 0.0
    assert m.mean_silent_pause_secs is None
    assert m.mean_length_of_run == 3.0


def test_ttr_and_mattr_by_hand() -> None:
    assert ttr(["a", "b", "a", "c"]) == 0.75
    assert ttr([]) is None
    # Windows of two: [a a]=0.5, [a b]=1.0, [b b]=0.5
    assert mattr(["a", "a", "b", "b"], window=2) == pytest.approx(2 / 3)
    assert mattr(["a", "b", "a", "b"], window=2) == 1.0
    # Fewer tokens than the window: plain TTR.
    assert mattr(["a", "b", "a", "c"]) == 0.75
    long_text = ["w" + str(i % 25) for i in range(100)]  # 25 types repeating
    assert mattr(long_text) == pytest.approx(25 / 50)


def test_mtld_by_hand() -> None:
    # a b a -> TTR 0.67 <= 0.72 closes a factor, twice in each direction: 6 / 2.
    assert mtld(["a", "b", "a", "b", "a", "b"]) == pytest.approx(3.0)
    # Forward: factor after "a b a", then "c" alone is a partial of 0 -> 4 / 1 = 4.
    # Backward: "c a b a" never drops below 0.72 -> partial (1 - 0.75) / 0.28 -> 4 / 0.893.
    assert mtld(["a", "b", "a", "c"]) == pytest.approx((4 + 4 / (0.25 / 0.28)) / 2)
    assert mtld([]) is None


def test_filled_pauses_are_not_lexical_tokens() -> None:
    m = compute_fluency("um um um uh er hello", [], 60.0)
    assert m.filled_pauses_per_min == 5.0
    assert m.ttr == 1.0  # only "hello" counts
