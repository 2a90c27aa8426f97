"""The spaCy-based grammar rules: the false fixes seen on real learners never come back, fixes
are re-parsed before they are shown, and the model is checked when it loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from speaking_pipeline.analysis.heuristic import parser
from speaking_pipeline.analysis.heuristic.analyzer import analyze_doc
from speaking_pipeline.analysis.heuristic.detectors import DETECTORS
from speaking_pipeline.analysis.heuristic.text import parse


def found(code: str, text: str) -> list[tuple[str, str | None]]:
    doc = parse(text)
    detection = DETECTORS[code](doc)
    if detection is None:
        return []
    detection.settle()  # check the fixes, as the analyzer does before showing them
    return [(doc.quote(h.first, h.last), h.correction) for h in detection.hits]


# Each story is told in the past, so a tense rule is looking for present forms in it.
PAST_STORY = "Last summer my brother and I visited our aunt in Porto, and we stayed for a week. "


@pytest.mark.parametrize(
    "text",
    [
        # Future forms after a past anchor ("I'll rewrite" -> "I'll rewrote").
        PAST_STORY + "I'll write to her again next month and I'll send her the photos.",
        PAST_STORY + "We will go back next year, and we're going to take the train.",
        # Habitual presents, and verbs after modals.
        PAST_STORY + "She cooks fish every Sunday and she always makes too much.",
        PAST_STORY + "I can swim well now, and I must practise more.",
        PAST_STORY + "I think she likes visitors, and I know she misses us.",
    ],
)
def test_no_past_tense_fix_for_futures_habits_and_modals(text: str) -> None:
    hits = found("grammar.past_tense", text)
    later = text[len(PAST_STORY) :]
    assert not [h for h in hits if h[0] in later], hits


def test_compound_subjects_agree_with_a_plural_verb() -> None:
    # "My husband and I are" -> "I am" was proposed before.
    for text in (
        "My wife and I are teachers, and my son and daughter are at school.",
        "Tom and his dog were in the garden when it rained.",
        "My sister and her friends have a band.",
    ):
        assert found("grammar.subject_verb_agreement", text) == [], text


def test_ordinals_and_relative_pronouns_are_not_pluralised() -> None:
    # "15th birthday" -> "15 th birthdays" and "those who" -> "those whos" were proposed before.
    text = (
        "On my 15th birthday I got a bike. Those who came to the party brought presents, "
        "and the 21st century started with a big celebration. Two of those who stayed helped."
    )
    assert found("grammar.plural_countable", text) == []
    assert found("grammar.subject_verb_agreement", text) == []


@pytest.mark.parametrize(
    ("code", "text", "said", "fix"),
    [
        (
            "grammar.subject_verb_agreement",
            "My neighbour go to work by bike.",
            "neighbour go",
            "neighbour goes",
        ),
        ("grammar.subject_verb_agreement", "They has a big garden.", "They has", "They have"),
        (
            "grammar.past_tense",
            "Two years ago my parents sell their old house.",
            "parents sell",
            "parents sold",
        ),
        ("grammar.past_tense", "Yesterday we don't go out at all.", "don't", "didn't"),
        (
            "grammar.article_omission",
            "My cousin is engineer in a big firm.",
            "is engineer",
            "is an engineer",
        ),
        (
            "grammar.article_omission",
            "That was best film of the year.",
            "best film",
            "the best film",
        ),
        (
            "grammar.plural_countable",
            "I have lived in four country since then.",
            "four country",
            "four countries",
        ),
        ("grammar.plural_countable", "She gave me a lot of useful advices.", "advices", "advice"),
    ],
)
def test_fixes_are_grammatical_and_checked(code: str, text: str, said: str, fix: str) -> None:
    hits = found(code, text)
    assert any(said in quote and correction and fix in correction for quote, correction in hits), (
        hits
    )


def test_no_fix_is_invented_when_the_article_is_uncertain() -> None:
    # "I bought new car": a or the? The rule names the pattern without choosing for the learner.
    hits = found("grammar.article_omission", "Last month I bought new car for my trips.")
    assert hits and all(correction is None for _, correction in hits)


def test_severity_high_needs_confident_detections() -> None:
    # Present forms in a story with no time word in their own sentences: the rule reads the
    # time from the story, so it reports the pattern but not as high.
    text = (
        "Last winter we went to the mountains with my cousins. We rented a small house. "
        "We walk to the lake in the morning. We ski all afternoon. We cook pasta in the evening. "
        "We play cards until midnight. We watch films too. Then we came home on Sunday."
    )
    analysis, _ = analyze_doc(text)
    past = next(i for i in analysis.insights if i.code == "grammar.past_tense")
    assert past.severity.value != "high"


def test_the_model_is_the_pinned_one() -> None:
    meta = parser.check_meta(parser.model_dir())
    assert meta["version"] == "3.8.0"
    assert parser.load() is parser.load()  # loaded once per process


def test_a_different_model_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    meta = json.loads((parser.model_dir() / "meta.json").read_text())
    meta["version"] = "3.7.1"
    (tmp_path / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(parser.ParserModelError, match=r"version is '3.7.1', expected '3.8.0'"):
        parser.check_meta(tmp_path)
    with pytest.raises(parser.ParserModelError, match="cannot read"):
        parser.check_meta(tmp_path / "missing")


def test_the_code_location_loads_without_spacy() -> None:
    # Dagster imports the definitions often (every reload, every run worker): spaCy and its
    # model must wait until an analysis needs them.
    import subprocess
    import sys

    code = "import sys, speaking_pipeline.definitions; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
