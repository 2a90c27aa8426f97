"""Feedback a learner can act on: hesitation is not connector overuse, one-off slips are named
when nothing recurs, the focus comes from what was found, and `submit` shows fluency."""

from __future__ import annotations

from speaking_pipeline.analysis.heuristic import analyze_transcript
from speaking_pipeline.analysis.heuristic.detectors import DETECTORS
from speaking_pipeline.analysis.heuristic.text import parse
from speaking_pipeline.cli.render import render_fluency, render_session


def keys(code: str, text: str) -> list[str]:
    detection = DETECTORS[code](parse(text))
    return [] if detection is None else [h.key for h in detection.hits]


HESITANT = (
    "So, so, so I wanted to talk about my town. So it is quite small. So, um, there is one "
    "school and one shop. So the bus comes twice a day. So, so, so people mostly drive. "
    "So I think it is a quiet place and I like it."
)


def test_hesitant_so_is_a_filler_or_false_start_not_a_connector() -> None:
    assert keys("vocabulary.connector_overuse", HESITANT) == []
    assert keys("vocabulary.filler_words", HESITANT).count("so") >= 4
    assert keys("structure.false_starts", HESITANT).count("so, so") == 2
    codes = {i.code for i in analyze_transcript(HESITANT).insights}
    assert "vocabulary.connector_overuse" not in codes


def test_linking_so_still_counts_as_a_connector() -> None:
    text = "It rained, so we stayed in. The shop was shut, so we went home."
    assert keys("vocabulary.connector_overuse", text) == ["so", "so"]


def test_when_nothing_recurs_the_summary_names_the_clearest_slip() -> None:
    text = (
        "I moved to this city for my job, and I like it here. My neighbour go to work by bike, "
        "and the streets are calm in the evening, which suits me well."
    )
    analysis = analyze_transcript(text)
    assert analysis.insights == []
    assert "'neighbour go' (say 'neighbour goes')" in analysis.summary
    # The focus works on that slip, not on sentence-length statistics.
    assert "he/she/it" in analysis.focus_next


def test_submit_prints_the_fluency_figures() -> None:
    fluency = {
        "speech_rate_wpm": 121.4,
        "articulation_rate_wpm": 150.2,
        "phonation_time_ratio": 0.81,
        "silent_pauses_per_min": 6.5,
        "mean_silent_pause_secs": 0.62,
        "filled_pauses_per_min": 2.0,
        "mean_length_of_run": 9.3,
        "mattr": 0.71,
        "ttr": 0.5,
    }
    text = render_fluency(fluency)
    assert "Speech rate: 121 words/min" in text
    assert "Speaking time: 81 % of the recording" in text
    assert "Lexical diversity (MATTR): 0.71" in text
    session = {
        "id": "s1",
        "status": "DONE",
        "fluency": fluency,
        "insights": [],
        "focusNext": "Keep going.",
        "summary": "Fine.",
    }
    assert "Filled pauses (um, uh): 2.0 per min" in render_session(session)


def test_fluency_without_timings_shows_only_what_was_measured() -> None:
    assert render_fluency({"mattr": 0.66, "speech_rate_wpm": None}) == (
        "Fluency:\n   Lexical diversity (MATTR): 0.66"
    )
    assert render_fluency(None) == ""
