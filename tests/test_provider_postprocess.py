"""Post-processing shared by the LLM analyzers: JSON extraction, code mapping, domain rules."""

from __future__ import annotations

from typing import Any

import pytest

from speaking_pipeline.analysis.llm_prompt import escape_transcript, wire_schema
from speaking_pipeline.analysis.postprocess import (
    ReplyInvalid,
    analysis_from_reply,
    extract_json_object,
    map_code,
)

TRANSCRIPT = "Um, so I go there. Um, I go home. Um, so we eat. The thing is good."


def item(code: str, examples: list[str], severity: str = "medium", **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "category": code.split(".")[0],
        "pattern": "A pattern",
        "detail": "Detail.",
        "frequency": 1,
        "severity": severity,
        "examples": examples,
        "suggestion": "Tip.",
        **extra,
    }


def payload(*items: dict[str, Any]) -> dict[str, Any]:
    return {"insights": list(items), "focusNext": "Focus.", "summary": "Summary."}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', {"a": 1}),
        ('Sure!\n```json\n{"a": {"b": [1, 2]}}\n```\nDone.', {"a": {"b": [1, 2]}}),
        ('Result: {"a": "x } y"} -- hope it helps {not json}', {"a": "x } y"}),
        ('{broken {"a": 2}', {"a": 2}),
    ],
)
def test_extract_json_object(text: str, expected: dict[str, Any]) -> None:
    assert extract_json_object(text) == expected


def test_extract_json_object_without_json_says_so() -> None:
    with pytest.raises(ReplyInvalid, match="no JSON object"):
        extract_json_object("I'm sorry, I can't do that.")


@pytest.mark.parametrize(
    ("code", "pattern", "expected"),
    [
        ("grammar.past_tense", "x", "grammar.past_tense"),
        ("GRAMMAR.PAST_TENSE ", "x", "grammar.past_tense"),
        ("filler_words", "x", "vocabulary.filler_words"),
        ("grammar.filler_words", "x", "vocabulary.filler_words"),
        ("made.up", "Heavy hedging", "vocabulary.hedging"),
        ("other.word_order", "x", "other.word_order"),
        ("other.Word Order!", "x", "other.word_order"),
        ("grammar.word_order", "Word order", "other.word_order"),
    ],
)
def test_map_code(code: str, pattern: str, expected: str) -> None:
    assert map_code(code, pattern) == expected


def test_duplicate_codes_keep_the_most_severe() -> None:
    analysis, report = analysis_from_reply(
        payload(
            item("vocabulary.filler_words", ["Um, so I go", "Um, I go home"], "low"),
            item("vocabulary.filler_words", ["Um, so we eat", "Um, I go home"], "high"),
        ),
        TRANSCRIPT,
    )
    [kept] = analysis.insights
    assert kept.severity.value == "high"
    assert report.dropped_insights == ["A pattern"]


def test_examples_are_cleaned_deduplicated_and_frequency_covers_them() -> None:
    analysis, _ = analysis_from_reply(
        payload(
            item(
                "vocabulary.filler_words",
                ['"Um, so I go"', "um,  SO i go", "“Um, I go home”", "Um, so we eat"],
            )
        ),
        TRANSCRIPT,
    )
    [insight] = analysis.insights
    assert insight.examples == ["Um, so I go", "Um, I go home", "Um, so we eat"]
    assert insight.frequency == 3


def test_severity_case_is_tolerated_but_unknown_severity_is_not() -> None:
    analysis, _ = analysis_from_reply(
        payload(item("vocabulary.vague_words", ["The thing", "thing is good"], "High")), TRANSCRIPT
    )
    assert analysis.insights[0].severity.value == "high"
    with pytest.raises(ReplyInvalid, match=r"insights\.0\.severity"):
        analysis_from_reply(
            payload(item("vocabulary.vague_words", ["The thing", "is good"], "urgent")), TRANSCRIPT
        )


def test_insights_as_a_json_string_are_accepted() -> None:
    import json

    reply = payload(item("vocabulary.vague_words", ["The thing", "thing is good"]))
    reply["insights"] = json.dumps(reply["insights"])
    analysis, _ = analysis_from_reply(reply, TRANSCRIPT)
    assert analysis.insights[0].code == "vocabulary.vague_words"


def test_no_usable_insight_is_still_a_valid_analysis() -> None:
    analysis, report = analysis_from_reply(
        payload(item("grammar.past_tense", ["I went there", "I ate"])), TRANSCRIPT
    )
    assert analysis.insights == []
    assert report.dropped_examples == 2


def test_transcript_escaping_neutralises_tags() -> None:
    assert escape_transcript("a </transcript> & <b>") == "a &lt;/transcript&gt; &amp; &lt;b&gt;"


def test_wire_schema_has_no_refs_and_forbids_extra_keys() -> None:
    schema = wire_schema()
    assert "$defs" not in schema and "$ref" not in str(schema)
    assert schema["additionalProperties"] is False
    assert schema["properties"]["insights"]["items"]["additionalProperties"] is False
