"""The labelled evaluation set, its scoring, and the bar the heuristic analyzer must meet."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from speaking_pipeline.analysis.evaluation import (
    DEFAULT_EVAL_SET,
    EvalCase,
    Targets,
    evaluate,
    format_report,
    load_eval_cases,
)
from speaking_pipeline.domain.schema import Analysis, Insight, Severity
from speaking_pipeline.domain.taxonomy import TAXONOMY

EVAL_SET = Path(__file__).parent / "eval_set"


def test_default_eval_set_is_the_one_in_tests() -> None:
    assert DEFAULT_EVAL_SET.resolve() == EVAL_SET.resolve()


def test_eval_set_covers_every_code_and_has_clean_controls() -> None:
    cases = load_eval_cases()
    assert len(cases) >= 40
    controls = [c for c in cases if c.is_control]
    assert len(controls) >= 8
    per_code = Counter(code for c in cases for code in c.labels)
    assert set(per_code) == set(TAXONOMY)
    assert min(per_code.values()) >= 3
    for case in cases:
        words = len(case.text.split())
        assert 100 <= words <= 260, (case.id, words)
    for file in EVAL_SET.glob("*.json"):
        assert json.loads(file.read_text())["id"] == file.stem


def test_heuristic_analyzer_meets_the_documented_targets() -> None:
    report = evaluate(load_eval_cases())
    targets = Targets()  # macro P >= 0.8, macro R >= 0.8, each code R >= 0.6, controls <= 1
    assert report.failures(targets) == [], format_report(report)
    assert report.macro_precision is not None and report.macro_precision >= 0.8
    assert report.macro_recall is not None and report.macro_recall >= 0.8
    assert report.control_mean_insights is not None and report.control_mean_insights <= 1.0


def _insight(code: str) -> Insight:
    return Insight(
        code=code,
        category=TAXONOMY[code].category,
        pattern=TAXONOMY[code].name,
        detail="d",
        frequency=3,
        severity=Severity.low,
        examples=["one", "two"],
        suggestion="s",
    )


def test_scores_count_true_false_positives_and_misses() -> None:
    cases = [
        EvalCase("a", "one two", frozenset({"vocabulary.hedging", "grammar.past_tense"})),
        EvalCase("b", "one two", frozenset({"vocabulary.hedging"})),
        EvalCase("c", "one two", frozenset()),
    ]
    predictions = {
        "a": ["vocabulary.hedging"],
        "b": ["vocabulary.hedging", "structure.false_starts"],
        "c": ["structure.false_starts"],
    }
    texts = {"a": cases[0], "b": cases[1], "c": cases[2]}
    order = iter(["a", "b", "c"])

    def fake(text: str) -> Analysis:
        case_id = next(order)
        assert texts[case_id].text == text
        return Analysis(
            insights=[_insight(c) for c in predictions[case_id]],
            focus_next="f",
            summary="s",
        )

    report = evaluate(cases, fake)
    hedging = report.scores["vocabulary.hedging"]
    assert (hedging.true_positives, hedging.false_positives, hedging.false_negatives) == (2, 0, 0)
    past = report.scores["grammar.past_tense"]
    assert past.recall == 0.0 and past.precision is None
    starts = report.scores["structure.false_starts"]
    assert starts.precision == 0.0 and starts.recall is None
    assert report.macro_precision == pytest.approx(0.5)  # hedging 1.0, false starts 0.0
    assert report.macro_recall == pytest.approx(0.5)  # hedging 1.0, past tense 0.0
    assert report.control_mean_insights == 1.0
    problems = report.failures()
    assert any("macro precision" in p for p in problems)
    assert any("grammar.past_tense recall" in p for p in problems)
    text = format_report(report)
    assert "vocabulary.hedging" in text and "targets NOT met" in text
    assert "a: missed grammar.past_tense; extra -" in text


def test_report_flags_examples_that_are_not_quotes() -> None:
    case = EvalCase("x", "the real words", frozenset({"vocabulary.hedging"}))

    def invented(text: str) -> Analysis:
        return Analysis(insights=[_insight("vocabulary.hedging")], focus_next="f", summary="s")

    report = evaluate([case], invented)
    assert report.cases[0].unverified_examples == 2
    assert any("not verbatim" in p for p in report.failures())


def test_loads_jsonl_and_json_lists(tmp_path: Path) -> None:
    rows = [
        {"id": "one", "text": "hello there", "labels": ["vocabulary.hedging"]},
        {"id": "two", "text": "clean text", "labels": []},
    ]
    jsonl = tmp_path / "cases.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    listed = tmp_path / "cases.json"
    listed.write_text(json.dumps(rows))
    for path in (jsonl, listed):
        cases = load_eval_cases(path)
        assert [c.id for c in cases] == ["one", "two"]
        assert cases[0].labels == {"vocabulary.hedging"}
        assert cases[1].is_control


def test_rejects_unknown_labels_duplicates_and_missing_paths(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"id": "x", "text": "t", "labels": ["grammar.tenses"]}]))
    with pytest.raises(ValueError, match="outside the taxonomy"):
        load_eval_cases(bad)
    twice = tmp_path / "twice.json"
    twice.write_text(json.dumps([{"id": "x", "text": "t", "labels": []}] * 2))
    with pytest.raises(ValueError, match="duplicate"):
        load_eval_cases(twice)
    with pytest.raises(FileNotFoundError):
        load_eval_cases(tmp_path / "missing")
