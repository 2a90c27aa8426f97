"""The offline analyzer end to end: recurring patterns only, verbatim quotes, ranking, goals."""

from __future__ import annotations

import re

from speaking_pipeline.analysis.base import AnalysisInput, Analyzer
from speaking_pipeline.analysis.heuristic import VERSION, HeuristicAnalyzer, analyze_transcript
from speaking_pipeline.analysis.heuristic.analyzer import severity_of
from speaking_pipeline.domain.schema import Severity
from speaking_pipeline.domain.verbatim import is_verbatim
from speaking_pipeline.transcription.base import Word

FILLERS_AND_SO = (
    "Um, last weekend I visited my aunt in the countryside. So we had lunch in her garden, "
    "uh, and then we walked to the lake. So the weather was lovely, you know, warm but not "
    "too hot. So we stayed there until the evening, um, and talked about the family. "
    "So I came home quite late, uh, but I was happy. I mean, it was a perfect day. "
    "So next time I want to bring my sister, um, because she loves the lake too."
)
FILLERS_AND_SO_AND_INTENSIFIERS = FILLERS_AND_SO + (
    " It was really really nice, very very quiet and really green, and the lake was very cold."
)
CLEAN = (
    "When my company switched to remote work, I assumed I would miss the office, but the "
    "first few months turned out to be surprisingly productive. Without the commute, I "
    "gained almost two hours a day, which I spent exercising and cooking proper meals. "
    "Over time, however, certain drawbacks became obvious. Spontaneous conversations "
    "disappeared, and new colleagues found it much harder to understand how decisions were "
    "made. We eventually agreed on a hybrid arrangement that balances autonomy with a sense "
    "of belonging."
)
MANY_PATTERNS = (
    "Yesterday I go to the market with my brother. He don't like shopping, so he wait outside. "
    "Um, the market is very very big and really really crowded. Uh, we buy many informations "
    "about vegetables and some advices from a farmer. I think it depends of the season. "
    "She is married with a farmer, um, and he sell cheese. Yesterday we eat a lot, uh, and we "
    "discuss about the prices. He have a very very nice stall. I think the stuff is good, the "
    "things are nice. Um, we pay too much, I guess. Uh, maybe it was kind of expensive."
)


def test_satisfies_the_analyzer_protocol() -> None:
    analyzer: Analyzer = HeuristicAnalyzer()
    assert analyzer.name == "heuristic"
    assert analyzer.version == VERSION
    assert re.fullmatch(r"heuristic-\d+", VERSION)


def test_reports_recurring_patterns_with_real_counts_and_verbatim_examples() -> None:
    analysis = analyze_transcript(FILLERS_AND_SO)
    by_code = {i.code: i for i in analysis.insights}
    # Sentence-opening "So" holds the floor: it is a filler here, not connector overuse.
    assert set(by_code) == {"vocabulary.filler_words"}
    fillers = by_code["vocabulary.filler_words"]
    assert fillers.frequency == 12  # 3 um, 2 uh, you know, I mean, 5 opening "So"
    assert "'so'" in fillers.detail and "'so'" in fillers.suggestion
    for insight in analysis.insights:
        assert 2 <= len(insight.examples) <= 3
        assert len(set(insight.examples)) == len(insight.examples)
        assert all(is_verbatim(e, FILLERS_AND_SO) for e in insight.examples)
        assert insight.category == insight.code.split(".")[0]


def test_clean_c1_transcript_gets_no_insights_and_an_honest_summary() -> None:
    analysis = analyze_transcript(CLEAN)
    assert analysis.insights == []
    words = len(CLEAN.split())
    assert f"{words}-word" in analysis.summary
    assert "recurring" in analysis.summary
    assert analysis.focus_next.startswith("In your next session")


def test_at_most_five_insights_ranked_by_severity_then_frequency() -> None:
    analysis = analyze_transcript(MANY_PATTERNS)
    assert len(analysis.insights) == 5
    keys = [(i.severity.rank, -i.frequency) for i in analysis.insights]
    assert keys == sorted(keys)
    assert analysis.insights[0].severity is Severity.high
    for insight in analysis.insights:
        assert all(is_verbatim(e, MANY_PATTERNS) for e in insight.examples)


def test_a_single_slip_is_not_reported() -> None:
    text = (
        "Yesterday I go to a concert in the park with two friends from work. The band "
        "played old soul songs, and the crowd danced until the police closed the gates. "
        "Afterwards we found a tiny bar near the station and talked for hours."
    )
    assert analyze_transcript(text).insights == []


def test_focus_prefers_a_pattern_the_learner_showed_before() -> None:
    fresh = analyze_transcript(FILLERS_AND_SO)
    assert "'um'" in fresh.focus_next  # fillers rank first on severity
    repeated = analyze_transcript(
        FILLERS_AND_SO_AND_INTENSIFIERS, {"vocabulary.intensifier_overuse": 3}
    )
    assert "very/really/so" in repeated.focus_next
    assert re.search(r"at most \d+ times", repeated.focus_next)


def test_filler_goal_is_per_minute_when_the_duration_is_known() -> None:
    run = HeuristicAnalyzer().analyze(AnalysisInput(FILLERS_AND_SO, duration_secs=60.0))
    assert re.search(r"under \d+ per minute", run.analysis.focus_next)
    no_duration = analyze_transcript(FILLERS_AND_SO)
    assert "per 100 words" in no_duration.focus_next


def test_metadata_records_counts_thresholds_and_fluency() -> None:
    words = [Word(word=w, start=i * 0.5, end=i * 0.5 + 0.4) for i, w in enumerate(CLEAN.split())]
    run = HeuristicAnalyzer().analyze(AnalysisInput(CLEAN, words=words, duration_secs=40.0))
    assert run.analyzer_version == VERSION
    patterns = run.metadata["patterns"]
    assert isinstance(patterns, dict)
    assert set(patterns) >= {"vocabulary.filler_words", "grammar.past_tense"}
    fluency = run.metadata["fluency"]
    assert isinstance(fluency, dict)
    assert fluency["speech_rate_wpm"] is not None
    assert fluency["silent_pauses_per_min"] == 0.0


def test_empty_transcript_still_returns_a_valid_analysis() -> None:
    analysis = analyze_transcript("")
    assert analysis.insights == []
    assert "nothing to analyse" in analysis.summary
    assert analysis.focus_next


def test_unpunctuated_whisper_output_is_handled() -> None:
    text = (
        "so yesterday i go to the office and um my boss he don't say hello and then "
        "uh we have a meeting and she say the project is late and um i was like really "
        "stressed and uh after that i go home and um i cook pasta and then i sleep"
    )
    analysis = analyze_transcript(text)
    codes = {i.code for i in analysis.insights}
    assert "vocabulary.filler_words" in codes
    assert "structure.short_sentences" not in codes
    assert "punctuation" in analysis.summary
    for insight in analysis.insights:
        assert all(is_verbatim(e, text) for e in insight.examples)


def test_severity_rises_with_rate_and_impact() -> None:
    assert severity_of("vocabulary.hedging", 3, 3) is Severity.low
    assert severity_of("vocabulary.hedging", 6, 3) is Severity.medium
    assert severity_of("grammar.preposition", 2, 2) is Severity.medium
    assert severity_of("grammar.past_tense", 3, 3) is Severity.high


def test_suggestions_name_what_was_found() -> None:
    analysis = analyze_transcript(MANY_PATTERNS)
    by_code = {i.code: i for i in analysis.insights}
    if "grammar.preposition" in by_code:
        assert "depend on" in by_code["grammar.preposition"].suggestion
    past = by_code["grammar.past_tense"]
    assert "went" in past.suggestion or "ate" in past.suggestion
    # The story is set "yesterday", so "He have" is a tense slip ("had"), and agreement keeps
    # only "He don't": one occurrence, below its threshold.
    assert "grammar.subject_verb_agreement" not in by_code


def test_the_article_suggestion_offers_the_plural_for_things_in_general() -> None:
    # Learners leave the article off a noun meant in general as often as off one thing: the
    # advice names both repairs, so "car is expensive" can become "cars are expensive".
    text = (
        "My sister is nurse in a big hospital. She bought new car last month. "
        "Car is expensive in our town, and she drives to work every day. "
        "Her husband is teacher at a school near the river."
    )
    by_code = {i.code: i for i in analyze_transcript(text).insights}
    assert "plural for things in general" in by_code["grammar.article_omission"].suggestion


def test_two_slips_in_one_sentence_are_a_pattern_with_two_quotes() -> None:
    # Both prepositions sit in one clause, so one clause quote would hold both and the
    # pattern would have a single example; each is quoted up to the other instead.
    text = (
        "My neighbours are kind people, and we often talk over the fence about the garden. "
        "Last spring I was interested for roses but angry on the slugs that ate every leaf. "
        "Now we share seeds and tools every year."
    )
    by_code = {i.code: i for i in analyze_transcript(text).insights}
    prepositions = by_code["grammar.preposition"]
    assert prepositions.frequency == 2
    assert len(prepositions.examples) == 2
    assert all(is_verbatim(e, text) for e in prepositions.examples)
    assert "interested for" in prepositions.examples[0]
    assert "angry on" in prepositions.examples[1]
    assert "angry" not in prepositions.examples[0]
