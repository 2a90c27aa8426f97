"""Per-code precision and recall of an analyzer on transcripts with planted, labelled patterns."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from speaking_pipeline.analysis.heuristic import analyze_transcript
from speaking_pipeline.domain.schema import Analysis
from speaking_pipeline.domain.taxonomy import TAXONOMY
from speaking_pipeline.domain.verbatim import is_verbatim

# The labelled transcripts shipped with the repository (tests/eval_set/*.json).
DEFAULT_EVAL_SET = Path(__file__).resolve().parents[2] / "tests" / "eval_set"


@dataclass(frozen=True)
class EvalCase:
    """One transcript and the codes planted in it (recurring, 3+ times); none for a control."""

    id: str
    text: str
    labels: frozenset[str]
    topic: str = ""

    @property
    def is_control(self) -> bool:
        return not self.labels


@dataclass(frozen=True)
class CodeScore:
    code: str
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def support(self) -> int:
        """How many cases have this code planted."""
        return self.true_positives + self.false_negatives

    @property
    def predicted(self) -> int:
        return self.true_positives + self.false_positives

    @property
    def precision(self) -> float | None:
        """None when the code was never predicted (precision is undefined, not zero)."""
        return self.true_positives / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        """None when no case has the code planted."""
        return self.true_positives / self.support if self.support else None


@dataclass(frozen=True)
class CaseResult:
    id: str
    expected: frozenset[str]
    predicted: frozenset[str]
    insight_count: int
    # Quotes that are not verbatim substrings of the transcript (must stay 0).
    unverified_examples: int = 0

    @property
    def missed(self) -> frozenset[str]:
        return self.expected - self.predicted

    @property
    def extra(self) -> frozenset[str]:
        return self.predicted - self.expected


@dataclass(frozen=True)
class Targets:
    """The quality bar documented in docs/heuristics.md."""

    macro_precision: float = 0.8
    macro_recall: float = 0.8
    min_code_recall: float = 0.6
    max_control_mean_insights: float = 1.0


@dataclass(frozen=True)
class EvalReport:
    scores: dict[str, CodeScore]
    cases: list[CaseResult] = field(default_factory=list)

    @property
    def macro_precision(self) -> float | None:
        """Mean precision over the codes that were predicted at least once."""
        values = [s.precision for s in self.scores.values() if s.precision is not None]
        return sum(values) / len(values) if values else None

    @property
    def macro_recall(self) -> float | None:
        """Mean recall over the codes planted in at least one case."""
        values = [s.recall for s in self.scores.values() if s.recall is not None]
        return sum(values) / len(values) if values else None

    @property
    def controls(self) -> list[CaseResult]:
        return [c for c in self.cases if not c.expected]

    @property
    def control_mean_insights(self) -> float | None:
        controls = self.controls
        return sum(c.insight_count for c in controls) / len(controls) if controls else None

    @property
    def exact_matches(self) -> int:
        return sum(1 for c in self.cases if c.expected == c.predicted)

    def failures(self, targets: Targets | None = None) -> list[str]:
        """Why the report misses the targets; empty when it meets them."""
        t = targets or Targets()
        problems = []
        if self.macro_precision is None or self.macro_precision < t.macro_precision:
            problems.append(f"macro precision {_fmt(self.macro_precision)} < {t.macro_precision}")
        if self.macro_recall is None or self.macro_recall < t.macro_recall:
            problems.append(f"macro recall {_fmt(self.macro_recall)} < {t.macro_recall}")
        for score in self.scores.values():
            if score.recall is not None and score.recall < t.min_code_recall:
                problems.append(f"{score.code} recall {_fmt(score.recall)} < {t.min_code_recall}")
        mean = self.control_mean_insights
        if mean is not None and mean > t.max_control_mean_insights:
            problems.append(
                f"clean controls average {mean:.2f} insights > {t.max_control_mean_insights}"
            )
        unverified = sum(c.unverified_examples for c in self.cases)
        if unverified:
            problems.append(f"{unverified} examples are not verbatim quotes of their transcript")
        return problems


def evaluate(
    cases: Iterable[EvalCase],
    analyze: Callable[[str], Analysis] = analyze_transcript,
) -> EvalReport:
    """Run the analyzer on every case; a case's predicted codes are its insights' codes."""
    counts = {code: [0, 0, 0] for code in TAXONOMY}  # tp, fp, fn
    results = []
    for case in cases:
        analysis = analyze(case.text)
        predicted = frozenset(i.code for i in analysis.insights)
        for code in predicted | case.labels:
            tally = counts.setdefault(code, [0, 0, 0])
            if code in predicted and code in case.labels:
                tally[0] += 1
            elif code in predicted:
                tally[1] += 1
            else:
                tally[2] += 1
        unverified = sum(
            1 for i in analysis.insights for e in i.examples if not is_verbatim(e, case.text)
        )
        results.append(
            CaseResult(case.id, case.labels, predicted, len(analysis.insights), unverified)
        )
    scores = {code: CodeScore(code, *tally) for code, tally in counts.items()}
    return EvalReport(scores, results)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def format_report(report: EvalReport, targets: Targets | None = None) -> str:
    """A plain-text table of per-code scores, the macro averages and the failing cases."""
    rows = [f"{'code':36} {'cases':>5} {'tp':>4} {'fp':>4} {'fn':>4} {'prec':>6} {'recall':>6}"]
    rows.append("-" * len(rows[0]))
    for code in sorted(report.scores):
        s = report.scores[code]
        rows.append(
            f"{code:36} {s.support:>5} {s.true_positives:>4} {s.false_positives:>4} "
            f"{s.false_negatives:>4} {_fmt(s.precision):>6} {_fmt(s.recall):>6}"
        )
    rows.append("-" * len(rows[0]))
    controls = report.controls
    rows.append(f"macro precision {_fmt(report.macro_precision)}")
    rows.append(f"macro recall    {_fmt(report.macro_recall)}")
    rows.append(
        f"cases           {len(report.cases)} ({len(controls)} clean controls), "
        f"{report.exact_matches} predicted exactly"
    )
    rows.append(
        f"controls        {_fmt(report.control_mean_insights)} insights on average, "
        f"at most {max((c.insight_count for c in controls), default=0)}"
    )
    mismatched = [c for c in report.cases if c.expected != c.predicted]
    if mismatched:
        rows.append("")
        rows.append("cases that differ from their labels:")
        for case in mismatched:
            missed = ", ".join(sorted(case.missed)) or "-"
            extra = ", ".join(sorted(case.extra)) or "-"
            rows.append(f"  {case.id}: missed {missed}; extra {extra}")
    problems = report.failures(targets)
    rows.append("")
    rows.append("targets met" if not problems else "targets NOT met: " + "; ".join(problems))
    return "\n".join(rows)


def load_eval_cases(path: Path | None = None) -> list[EvalCase]:
    """Cases from a directory of *.json files, one JSON file holding a list, or a JSONL file.
    Each case is {"id", "text", "labels": [codes], "topic"?}. Defaults to tests/eval_set."""
    source = path or DEFAULT_EVAL_SET
    if not source.exists():
        raise FileNotFoundError(f"evaluation set not found: {source}")
    records: list[dict[str, object]] = []
    if source.is_dir():
        for file in sorted(source.glob("*.json")):
            records.append(json.loads(file.read_text(encoding="utf-8")))
    elif source.suffix == ".jsonl":
        lines = source.read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines if line.strip()]
    else:
        loaded = json.loads(source.read_text(encoding="utf-8"))
        records = loaded if isinstance(loaded, list) else [loaded]
    cases = [_case(record, source) for record in records]
    ids = [c.id for c in cases]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate case ids in {source}: {sorted(duplicates)}")
    return cases


def _case(record: dict[str, object], source: Path) -> EvalCase:
    case_id, text, labels = record.get("id"), record.get("text"), record.get("labels", [])
    if not isinstance(case_id, str) or not isinstance(text, str) or not isinstance(labels, list):
        raise ValueError(f"{source}: each case needs a string id, a string text and a label list")
    unknown = [label for label in labels if label not in TAXONOMY]
    if unknown:
        raise ValueError(f"{source}: case {case_id} has labels outside the taxonomy: {unknown}")
    topic = record.get("topic", "")
    return EvalCase(case_id, text, frozenset(labels), topic if isinstance(topic, str) else "")
