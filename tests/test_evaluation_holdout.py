"""The heuristic analyzer on a held-out set written without sight of its rules.

`tests/eval_holdout/` was written by someone who had not read the detectors or the tuning
set, and is not used to tune them: it estimates how the rules do on transcripts they have
never seen. The same targets as the tuning set apply."""

from __future__ import annotations

from pathlib import Path

from speaking_pipeline.analysis.evaluation import evaluate, format_report, load_eval_cases

HOLDOUT = Path(__file__).parent / "eval_holdout"


def test_holdout_meets_the_documented_targets() -> None:
    cases = load_eval_cases(HOLDOUT)
    assert len(cases) >= 30
    report = evaluate(cases)
    assert report.failures() == [], format_report(report)
