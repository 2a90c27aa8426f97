"""Scores the offline analyzer on M2 corpora (human-annotated learner English, ERRANT types).

The method (docs/heuristics.md, "Real learner data"): consecutive sentences of one file are
joined into pseudo-transcripts; per grammar code we measure example precision (reported words
that carry a human edit of the mapped type), recall on texts where the type recurs, and, for a
control file of native writing, how many grammar insights are reported at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

SENTENCES_PER_TEXT = 10
# A trailing chunk shorter than this is too short to have recurring patterns; it is dropped.
MIN_SENTENCES_PER_TEXT = 5
RECURRING = 2

GRAMMAR_CODES = (
    "grammar.article_omission",
    "grammar.subject_verb_agreement",
    "grammar.past_tense",
    "grammar.preposition",
    "grammar.plural_countable",
)


def code_for(error_type: str, correction: str, original: str) -> set[str]:
    """The grammar codes an ERRANT edit type counts for (empty when none)."""
    parts = error_type.split(":")
    kind = ":".join(parts[1:])
    codes: set[str] = set()
    if error_type in ("M:DET", "R:DET"):
        codes.add("grammar.article_omission")
    if kind == "VERB:SVA":
        codes.add("grammar.subject_verb_agreement")
    if kind == "VERB:TENSE":
        codes.add("grammar.past_tense")
    if kind == "PREP":
        codes.add("grammar.preposition")
    if kind in ("NOUN:NUM", "NOUN:INFL"):
        codes.add("grammar.plural_countable")
    if kind == "DET" and original.casefold() in ("a", "an"):
        # "a(n) + uncountable": the article is removed or replaced by "some"/"much".
        codes.add("grammar.plural_countable")
    return codes


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    error_type: str
    correction: str


@dataclass
class M2Sentence:
    tokens: list[str]
    edits: list[Edit] = field(default_factory=list)


def read_m2(path: Path) -> list[M2Sentence]:
    """Sentences with the first annotator's edits; ValueError naming the line when malformed."""
    sentences: list[M2Sentence] = []
    current: M2Sentence | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("S "):
            current = M2Sentence(line[2:].split())
            sentences.append(current)
        elif line.startswith("A "):
            if current is None:
                raise ValueError(f"{path.name}:{number}: an A line before any S line")
            fields = line[2:].split("|||")
            if len(fields) < 6:
                raise ValueError(f"{path.name}:{number}: an A line needs 6 fields")
            span = fields[0].split()
            if len(span) != 2 or fields[5].strip() != "0":
                if len(span) != 2:
                    raise ValueError(f"{path.name}:{number}: bad token span {fields[0]!r}")
                continue
            start, end = int(span[0]), int(span[1])
            if fields[1] in ("noop", "UNK") or start < 0:
                continue
            current.edits.append(Edit(start, end, fields[1], fields[2]))
        elif line.strip():
            raise ValueError(f"{path.name}:{number}: expected an S or A line")
    if not sentences:
        raise ValueError(f"{path.name}: no sentences (is it an M2 file?)")
    return sentences


_NO_SPACE_BEFORE = re.compile(r"^(?:[.,!?;:%)\]}]|'s|'S|n't|N'T|'re|'ve|'ll|'d|'m|\.\.\.)$")
_NO_SPACE_AFTER = frozenset({"(", "[", "{", "$"})


@dataclass
class PseudoText:
    """Detokenised text of consecutive sentences, with every token's character span."""

    text: str
    # (sentence, token) -> (start, end) character offsets in `text`.
    spans: list[list[tuple[int, int]]]
    sentences: list[M2Sentence]

    def gold(self, code: str | None = None) -> list[tuple[int, int]]:
        """Character spans of the human edits of `code`'s types, or of every edit when `code`
        is None (an insertion spans the words on either side of its position)."""
        found: list[tuple[int, int]] = []
        for s, sentence in enumerate(self.sentences):
            spans = self.spans[s]
            for edit in sentence.edits:
                original = " ".join(sentence.tokens[edit.start : edit.end])
                if code is not None and code not in code_for(
                    edit.error_type, edit.correction, original
                ):
                    continue
                if edit.end > edit.start:
                    found.append((spans[edit.start][0], spans[edit.end - 1][1]))
                else:
                    left = spans[edit.start - 1][0] if edit.start > 0 else spans[0][0]
                    right = spans[min(edit.start, len(spans) - 1)][1]
                    found.append((left, right))
        return found


def detokenise(sentences: Sequence[M2Sentence]) -> PseudoText:
    out: list[str] = []
    spans: list[list[tuple[int, int]]] = []
    length = 0
    open_quote = False
    for sentence in sentences:
        sentence_spans: list[tuple[int, int]] = []
        glue = bool(out)
        for token in sentence.tokens:
            is_quote = token == '"'
            no_space = _NO_SPACE_BEFORE.match(token) is not None or (is_quote and open_quote)
            if glue and not no_space:
                out.append(" ")
                length += 1
            out.append(token)
            sentence_spans.append((length, length + len(token)))
            length += len(token)
            glue = not (token in _NO_SPACE_AFTER or (is_quote and not open_quote))
            if is_quote:
                open_quote = not open_quote
        spans.append(sentence_spans)
    return PseudoText("".join(out), spans, list(sentences))


def pseudo_texts(sentences: Sequence[M2Sentence]) -> list[PseudoText]:
    texts = []
    for i in range(0, len(sentences), SENTENCES_PER_TEXT):
        chunk = sentences[i : i + SENTENCES_PER_TEXT]
        if len(chunk) >= MIN_SENTENCES_PER_TEXT:
            texts.append(detokenise(chunk))
    return texts


@dataclass
class CodeTally:
    examples: int = 0
    correct_examples: int = 0
    all_hits: int = 0
    correct_hits: int = 0
    # Hits of the wrong type that still fall on a human edit: the annotator saw an error there
    # and named it otherwise ("car" given a plural rather than an article, say).
    other_edit_hits: int = 0
    recurring_texts: int = 0
    reported_on_recurring: int = 0
    reported_texts: int = 0


@dataclass
class BandReport:
    name: str
    texts: int = 0
    words: int = 0
    codes: dict[str, CodeTally] = field(default_factory=dict)
    grammar_insights: int = 0
    texts_without_insight: int = 0
    recurring_texts: int = 0
    recurring_texts_with_insight: int = 0
    false_examples: list[tuple[str, str]] = field(default_factory=list)


def _overlaps(span: tuple[int, int], gold: Iterable[tuple[int, int]]) -> bool:
    return any(span[0] < g[1] and g[0] < span[1] for g in gold)


def score_file(path: Path, *, keep_false: int = 0) -> BandReport:
    """Run the analyzer on every pseudo-transcript of one M2 file."""
    from speaking_pipeline.analysis.heuristic.analyzer import detect_all, find_patterns
    from speaking_pipeline.analysis.heuristic.text import parse

    report = BandReport(path.name.split(".", 1)[0])
    report.codes = {code: CodeTally() for code in GRAMMAR_CODES}
    for pseudo in pseudo_texts(read_m2(path)):
        doc = parse(pseudo.text)
        detections = detect_all(doc)
        findings, _ = find_patterns(doc, detections)
        reported = {f.detection.code for f in findings}
        report.texts += 1
        report.words += doc.word_count
        report.texts_without_insight += not findings
        any_recurring = False
        edited = pseudo.gold()
        for code in GRAMMAR_CODES:
            tally = report.codes[code]
            gold = pseudo.gold(code)
            if len(gold) >= RECURRING:
                any_recurring = True
                tally.recurring_texts += 1
                tally.reported_on_recurring += code in reported
            if code in reported:
                tally.reported_texts += 1
                report.grammar_insights += 1
            detection = detections.get(code)
            for hit in detection.hits if detection else []:
                span = (doc.tokens[hit.first].start, doc.tokens[hit.last].end)
                correct = _overlaps(span, gold)
                tally.all_hits += 1
                tally.correct_hits += correct
                tally.other_edit_hits += not correct and _overlaps(span, edited)
                if code in reported:
                    tally.examples += 1
                    tally.correct_examples += correct
                if not correct and len(report.false_examples) < keep_false:
                    report.false_examples.append((code, doc.quote(hit.first, hit.last)))
        if any_recurring:
            report.recurring_texts += 1
            report.recurring_texts_with_insight += bool(findings)
    return report


def _ratio(n: int, d: int) -> str:
    return f"{n}/{d}" + (f" ({n / d:.2f})" if d else "")


def format_reports(reports: Sequence[BandReport]) -> str:
    lines = []
    names = [r.name for r in reports]
    lines.append("recall on texts where the type recurs (>= 2 human edits):")
    lines.append(f"{'code':34}" + "".join(f"{n:>16}" for n in names))
    for code in GRAMMAR_CODES:
        row = "".join(
            f"{_ratio(r.codes[code].reported_on_recurring, r.codes[code].recurring_texts):>16}"
            for r in reports
        )
        lines.append(f"{code:34}{row}")
    lines.append("")
    lines.append(
        "example precision (hits of reported codes; all hits before thresholds; "
        "all hits on a human edit of any type):"
    )
    for code in GRAMMAR_CODES:
        ex = sum(r.codes[code].examples for r in reports)
        ok = sum(r.codes[code].correct_examples for r in reports)
        hits = sum(r.codes[code].all_hits for r in reports)
        good = sum(r.codes[code].correct_hits for r in reports)
        edited = good + sum(r.codes[code].other_edit_hits for r in reports)
        lines.append(
            f"{code:34}{_ratio(ok, ex):>16}{_ratio(good, hits):>20}{_ratio(edited, hits):>20}"
        )
    lines.append("")
    for r in reports:
        lines.append(
            f"{r.name}: {r.texts} texts, {r.words} words, {r.grammar_insights} grammar insights, "
            f"{r.texts_without_insight} without any insight, "
            f"{r.recurring_texts_with_insight}/{r.recurring_texts} texts with a recurring "
            "error got an insight"
        )
    for r in reports:
        for code, quote in r.false_examples:
            lines.append(f"  false {r.name} {code}: {quote}")
    return "\n".join(lines)
