"""The OpenAI analyzer, through the real `openai` SDK, against a local chat-completions server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from speaking_pipeline.analysis.base import AnalysisError, AnalysisInput
from speaking_pipeline.analysis.openai_api import OpenAIAnalyzer
from speaking_pipeline.config import MissingSettingError, Settings
from tests.fakes import fake_openai
from tests.fakes.fake_openai import FakeOpenAI

TRANSCRIPT = (Path(__file__).parent / "fixtures" / "audio" / "speech.txt").read_text().strip()
PATH = "/v1/chat/completions"

GOOD: dict[str, Any] = {
    "insights": [
        {
            "code": "vocabulary.filler_words",
            "category": "vocabulary",
            "pattern": "Filler words",
            "detail": "Sentences open with um.",
            "frequency": 2,
            "severity": "low",
            "examples": ["Um, so yesterday", "Um, so then we go home"],
            "suggestion": "Pause silently instead of saying um.",
        },
        {
            "code": "grammar.past_tense",
            "category": "grammar",
            "pattern": "Present for past",
            "detail": "Past events are told in the present.",
            "frequency": 4,
            "severity": "high",
            "examples": ["yesterday I go to the market", "we cook dinner together"],
            "suggestion": "Use went, bought, cooked.",
        },
    ],
    "focusNext": "Retell yesterday using ten past-tense verbs.",
    "summary": "Clear speech. Past tense is the main gap.",
}


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with fake_openai.running() as server:
        yield server


def analyzer(fake: FakeOpenAI, **overrides: Any) -> OpenAIAnalyzer:
    settings = Settings(
        _env_file=None,
        analyzer="openai",
        openai_api_key=fake.api_key,
        openai_base_url=fake.api_base,
    )
    return OpenAIAnalyzer.from_settings(settings, **{"max_retries": 1, **overrides})


def test_strict_structured_output_becomes_an_analysis(fake: FakeOpenAI) -> None:
    fake.reply_chat(json.dumps(GOOD), prompt_tokens=900, completion_tokens=250)
    run = analyzer(fake).analyze(AnalysisInput(transcript=TRANSCRIPT))

    assert [i.code for i in run.analysis.insights] == [
        "grammar.past_tense",
        "vocabulary.filler_words",
    ]
    assert run.analyzer_version == "openai:gpt-4o-mini:prompt-v1"
    assert (run.metadata["input_tokens"], run.metadata["output_tokens"]) == (900, 250)
    [request] = fake.requests_to(PATH)
    body = request.json
    assert body["model"] == "gpt-4o-mini"
    fmt = body["response_format"]
    # The fake rejects schemas that strict mode would reject, so getting here proves it passes.
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert "<transcript>" in body["messages"][1]["content"]


def test_invalid_reply_is_repaired_once(fake: FakeOpenAI) -> None:
    broken = {**GOOD, "insights": [{**GOOD["insights"][0], "frequency": "often"}]}
    fake.reply_chat(json.dumps(broken))
    fake.reply_chat(json.dumps(GOOD))
    run = analyzer(fake).analyze(AnalysisInput(transcript=TRANSCRIPT))

    assert run.metadata["repaired"] is True
    calls = run.metadata["calls"]
    assert isinstance(calls, list) and len(calls) == 2
    second = fake.requests_to(PATH)[1].json["messages"]
    assert [m["role"] for m in second] == ["system", "user", "assistant", "user"]
    assert "insights.0.frequency" in second[3]["content"]


def test_refusing_twice_is_a_permanent_analysis_error(fake: FakeOpenAI) -> None:
    fake.reply_chat(None, refusal="I can't help with that.")
    fake.reply_chat(None, refusal="I can't help with that.")
    with pytest.raises(AnalysisError) as caught:
        analyzer(fake).analyze(AnalysisInput(transcript=TRANSCRIPT))
    assert caught.value.transient is False
    assert "refused" in str(caught.value)


def test_rejected_key_fails_at_once(fake: FakeOpenAI) -> None:
    bad = OpenAIAnalyzer(api_key="sk-not-the-right-one-42", base_url=fake.api_base)
    with pytest.raises(AnalysisError) as caught:
        bad.analyze(AnalysisInput(transcript=TRANSCRIPT))
    assert caught.value.transient is False
    assert str(caught.value) == "OpenAI rejected the API key (401): check OPENAI_API_KEY"
    assert len(fake.requests_to(PATH)) == 1


def test_rate_limit_then_success_is_retried(fake: FakeOpenAI) -> None:
    fake.fail_next(PATH, fake_openai.rate_limited())
    fake.reply_chat(json.dumps(GOOD))
    run = analyzer(fake).analyze(AnalysisInput(transcript=TRANSCRIPT))
    assert len(run.analysis.insights) == 2
    assert len(fake.requests_to(PATH)) == 2


def test_missing_key_fails_at_first_use_naming_the_variable() -> None:
    settings = Settings(_env_file=None, analyzer="openai", openai_api_key=None)
    analyzer = OpenAIAnalyzer.from_settings(settings)
    with pytest.raises(MissingSettingError) as caught:
        analyzer.analyze(AnalysisInput(transcript=TRANSCRIPT))
    assert caught.value.variable == "OPENAI_API_KEY"
    assert "ANALYZER=openai" in str(caught.value)
