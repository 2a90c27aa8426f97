"""The offline analyzer: runs every detector, keeps recurring patterns, writes the Analysis."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from speaking_pipeline.analysis.base import AnalysisError, AnalysisInput, AnalyzerRun
from speaking_pipeline.analysis.fluency import compute_fluency
from speaking_pipeline.analysis.heuristic import suggestions
from speaking_pipeline.analysis.heuristic import thresholds as th
from speaking_pipeline.analysis.heuristic.detectors import DETECTORS
from speaking_pipeline.analysis.heuristic.findings import (
    Detection,
    Hit,
    pick_examples,
    settle_together,
)
from speaking_pipeline.analysis.heuristic.text import Doc, parse
from speaking_pipeline.domain.schema import MAX_INSIGHTS, Analysis, Insight, Severity
from speaking_pipeline.domain.taxonomy import TAXONOMY
from speaking_pipeline.domain.verbatim import verbatim_only
from speaking_pipeline.transcription.base import Word

VERSION = "heuristic-10"
_SEVERITIES = {2: Severity.high, 1: Severity.medium, 0: Severity.low}


@dataclass(frozen=True)
class Finding:
    """A detection that passed its threshold, with the quotes that illustrate it."""

    detection: Detection
    required: int
    examples: list[str]
    severity: Severity


def severity_of(code: str, frequency: int, required: int, confident: int | None = None) -> Severity:
    """Impact of the code, one level higher when it occurs at least twice as often as needed.
    High needs confidence: at least `required` of the occurrences must be confident
    detections (`confident`, when the detector rates its hits), otherwise it stays medium."""
    rule = th.CODE_RULES[code]
    level = min(2, rule.impact + (1 if frequency >= th.SEVERITY_STEP_RATIO * required else 0))
    if level == 2 and confident is not None and confident < required:
        level = 1
    return _SEVERITIES[level]


# When two codes claim the same words, the first explains them better: "yesterday he go" is a
# tense slip in a past story, and the repeated "opinion" of "In my opinion ..." is a starter.
_PRECEDENCE: tuple[tuple[str, str], ...] = (
    ("grammar.past_tense", "grammar.subject_verb_agreement"),
    # "go with bus": the preposition is the slip ("by bus"), not a missing article.
    ("grammar.preposition", "grammar.article_omission"),
    ("structure.repetitive_starters", "vocabulary.word_repetition"),
    ("vocabulary.connector_overuse", "structure.repetitive_starters"),
)


def detect_all(doc: Doc) -> dict[str, Detection | None]:
    """Run every detector, then drop hits a more specific code already explains."""
    detections = {code: detect(doc) for code, detect in DETECTORS.items()}
    for winner, loser in _PRECEDENCE:
        won, lost = detections.get(winner), detections.get(loser)
        if won is None or lost is None:
            continue
        taken = {i for hit in won.hits for i in range(hit.first, hit.last + 1)}
        kept = [h for h in lost.hits if not taken & set(range(h.first, h.last + 1))]
        if len(kept) == len(lost.hits):
            continue
        if lost.frequency_override is None and loser != "vocabulary.word_repetition":
            detections[loser] = (
                Detection(
                    loser,
                    kept,
                    measures=lost.measures,
                    settle_fixes=lost.settle_fixes,
                    fix_texts=lost.fix_texts,
                )
                if kept
                else None
            )
        elif loser == "vocabulary.word_repetition":
            detections[loser] = _recount_repetition(lost, kept)
    return detections


def _recount_repetition(lost: Detection, kept: list[Hit]) -> Detection | None:
    counts: dict[str, int] = {}
    for hit in kept:
        counts[hit.key] = counts.get(hit.key, 0) + 1
    # Words whose remaining occurrences fall below what they needed drop out entirely.
    measures = {k: float(v) for k, v in counts.items() if v >= lost.measures.get(k, 0) * 0.8}
    hits = [h for h in kept if h.key in measures]
    return Detection(lost.code, hits, measures=measures) if hits else None


def one_off_slips(
    doc: Doc, detections: Mapping[str, Detection | None], findings: list[Finding]
) -> list[Detection]:
    """Detections below their threshold, clearest first: grammar slips with a checked fix,
    then by impact and count. They are not insights, but a learner should not leave empty."""
    reported = {f.detection.code for f in findings}
    slips = [d for code, d in detections.items() if d is not None and code not in reported]
    settle_together(doc, [d for d in slips if d.code.startswith("grammar.")])

    def clarity(d: Detection) -> tuple[int, int, int]:
        fixed = sum(1 for h in d.hits if h.correction and h.confident)
        return (-fixed, -th.CODE_RULES[d.code].impact, -d.frequency)

    return sorted(slips, key=clarity)


def find_patterns(
    doc: Doc, detections: Mapping[str, Detection | None] | None = None
) -> tuple[list[Finding], dict[str, dict[str, int]]]:
    """Every recurring pattern (not yet capped at 5), and per-code counts for the metadata."""
    findings: list[Finding] = []
    counts: dict[str, dict[str, int]] = {}
    found = detect_all(doc) if detections is None else detections
    required_of = {code: th.CODE_RULES[code].rule.required(doc.word_count) for code in found}
    # Settling does not change how often a pattern occurs: the fixes of every detection that
    # reaches its threshold are checked together, before any of them is looked at.
    settle_together(
        doc,
        [d for code, d in found.items() if d is not None and d.frequency >= required_of[code]],
    )
    for code, detection in found.items():
        required = required_of[code]
        frequency = detection.frequency if detection else 0
        counts[code] = {"count": frequency, "required": required}
        if detection is None or frequency < required:
            continue
        examples = verbatim_only(pick_examples(doc, detection.hits), doc.text)
        # Fewer than two different quotes means it did not recur in a way we can show.
        if len(examples) < 2:
            continue
        confident = sum(1 for hit in detection.hits if hit.confident)
        severity = severity_of(code, frequency, required, confident)
        findings.append(Finding(detection, required, examples, severity))
    findings.sort(key=lambda f: (f.severity.rank, -f.detection.frequency))
    return findings, counts


def _insight(doc: Doc, finding: Finding) -> Insight:
    detection = finding.detection
    entry = TAXONOMY[detection.code]
    return Insight(
        code=detection.code,
        category=entry.category,
        pattern=entry.name,
        detail=suggestions.detail(doc, detection, finding.required),
        frequency=detection.frequency,
        severity=finding.severity,
        examples=finding.examples,
        suggestion=suggestions.suggestion(doc, detection),
    )


def _mean_sentence_words(doc: Doc) -> float:
    return doc.word_count / max(1, len(doc.sentences))


def _slip_quotes(doc: Doc, slips: list[Detection], limit: int = 2) -> list[str]:
    quotes: list[str] = []
    for detection in slips:
        for hit in detection.hits:
            if hit.correction and hit.confident and detection.code.startswith("grammar."):
                quotes.append(f"'{doc.quote(hit.first, hit.last)}' (say '{hit.correction}')")
                break
        if len(quotes) == limit:
            break
    if not quotes:
        for detection in slips[:limit]:
            hit = detection.hits[0]
            name = TAXONOMY[detection.code].name.lower()
            quotes.append(f"{name} ('{doc.quote(hit.first, hit.last)}')")
    return quotes


def _summary(doc: Doc, findings: list[Finding], mattr: float | None, slips: list[Detection]) -> str:
    if doc.word_count == 0:
        return "No speech was transcribed, so there was nothing to analyse."
    parts = []
    shape = f"This {doc.word_count}-word transcript"
    if doc.punctuated:
        count = len(doc.sentences)
        plural = "s" if count != 1 else ""
        shape += f" has {count} sentence{plural} averaging {_mean_sentence_words(doc):.0f} words"
    else:
        shape += " has too little punctuation to judge sentence boundaries"
    if mattr is not None:
        shape += f", with a lexical diversity (MATTR) of {mattr:.2f}"
    parts.append(shape + ".")
    if not findings:
        quotes = _slip_quotes(doc, slips)
        if quotes:
            parts.append(
                "No pattern occurred often enough at this length to count as recurring; "
                f"the clearest one-off slip{'s were' if len(quotes) > 1 else ' was'} "
                + " and ".join(quotes)
                + "."
            )
        else:
            parts.append("No pattern occurred often enough at this length to count as recurring.")
    else:
        named = [
            f"{TAXONOMY[f.detection.code].name.lower()} ({f.detection.frequency}x)"
            for f in findings[:2]
        ]
        lead = "The main recurring pattern was" if len(named) == 1 else "The main recurring "
        if len(named) == 1:
            parts.append(f"{lead} {named[0]}.")
        else:
            parts.append(f"{lead}patterns were {named[0]} and {named[1]}.")
        if len(findings) > 2:
            rest = len(findings) - 2
            parts.append(
                f"{rest} more pattern{'s' if rest > 1 else ''} also crossed "
                f"{'their thresholds' if rest > 1 else 'its threshold'}."
            )
    return " ".join(parts)


def _focus(
    doc: Doc,
    findings: list[Finding],
    recurring: Mapping[str, int],
    duration: float | None,
    slips: list[Detection],
) -> str:
    if not findings:
        # The strongest thing actually found, even once, beats a goal made up from averages.
        if slips:
            return suggestions.focus_goal(doc, slips[0], duration)
        return suggestions.stretch_goal(doc, _mean_sentence_words(doc))
    # A pattern the learner also showed in earlier sessions is the better thing to work on.
    repeated = [f for f in findings if recurring.get(f.detection.code, 0) > 0]
    pool = repeated or findings
    chosen = min(
        pool,
        key=lambda f: (
            f.severity.rank,
            -recurring.get(f.detection.code, 0),
            -f.detection.frequency,
        ),
    )
    return suggestions.focus_goal(doc, chosen.detection, duration)


def analyze_doc(
    text: str,
    recurring_codes: Mapping[str, int] | None = None,
    words: list[Word] | None = None,
    duration_secs: float | None = None,
) -> tuple[Analysis, dict[str, object]]:
    doc = parse(text)
    detections = detect_all(doc)
    findings, counts = find_patterns(doc, detections)
    # One-off slips matter only when nothing recurs (they fill the summary and the focus).
    slips = [] if findings else one_off_slips(doc, detections, findings)
    fluency = compute_fluency(text, words or [], duration_secs)
    kept = findings[:MAX_INSIGHTS]
    analysis = Analysis(
        insights=[_insight(doc, f) for f in kept],
        focus_next=_focus(doc, kept, recurring_codes or {}, fluency.duration_secs, slips),
        summary=_summary(doc, findings, fluency.mattr, slips),
    )
    metadata: dict[str, object] = {
        "word_count": doc.word_count,
        "sentence_count": len(doc.sentences),
        "punctuated": doc.punctuated,
        "patterns": counts,
        "fluency": fluency.model_dump(),
    }
    return analysis, metadata


def analyze_transcript(text: str, recurring_codes: Mapping[str, int] | None = None) -> Analysis:
    """Analyse a transcript with the offline rules; no timings needed."""
    return analyze_doc(text, recurring_codes)[0]


class HeuristicAnalyzer:
    """Offline, deterministic analyzer built on word lists and rules (no network, no keys)."""

    name = "heuristic"
    version = VERSION

    def analyze(self, data: AnalysisInput) -> AnalyzerRun:
        try:
            analysis, metadata = analyze_doc(
                data.transcript, data.recurring_codes, data.words, data.duration_secs
            )
        except Exception as exc:
            # The rules are deterministic: running them again on the same text cannot help.
            raise AnalysisError(f"heuristic analysis failed: {exc}", transient=False) from exc
        return AnalyzerRun(analysis=analysis, analyzer_version=self.version, metadata=metadata)

    def warm(self) -> None:
        """Load the parser and the inflection lexicon now (both load on first use, about
        2 s): a warm run worker calls this as it starts, so its first session does not."""
        analyze_doc("Yesterday I went to the market with my friends.", {}, None, None)
