"""Candidate errors and the check of their fixes: apply, re-parse, keep what parses as intended."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from speaking_pipeline.analysis.heuristic.detectors.grammar.syntax import _match_case
from speaking_pipeline.analysis.heuristic.findings import Detection, Hit
from speaking_pipeline.analysis.heuristic.text import Doc

if TYPE_CHECKING:
    from spacy.tokens import Span
    from spacy.tokens import Token as P


@dataclass(frozen=True)
class Candidate:
    """A possible error: the words it covers and, when one is known, a fix to check."""

    first: P
    last: P
    key: str
    # Character range of the sentence text to replace, and what to put there.
    replace: tuple[int, int, str] | None = None
    # The replaced words must parse like this (e.g. tag VBD) for the fix to stand.
    expect: Callable[[P], bool] | None = None
    confident: bool = True
    note: str | None = None  # shown instead of a fix when the rule names the pattern only


SentenceRule = Callable[[Doc, "Span"], list[Candidate]]


def _finish(doc: Doc, code: str, rule: SentenceRule) -> Detection | None:
    """Run a rule on every sentence and turn its candidates into hits. Fixes are checked by
    re-parsing only when the detection is settled (see Detection.settle): re-parsing costs
    as much as the first parse, and most one-off candidates are never shown."""
    kept: dict[int, tuple[Candidate, int, int]] = {}
    for sent in doc.parsed.sents:
        for candidate in rule(doc, sent):
            first, last = doc.index_of(candidate.first), doc.index_of(candidate.last)
            if first is None or last is None or last < first:
                continue
            kept.setdefault(first, (candidate, first, last))
    if not kept:
        return None
    ordered = [kept[i] for i in sorted(kept)]

    def checks(detection: Detection) -> list[Candidate]:
        # Only the fixes of hits still present: another code may have claimed some.
        present = {h.first for h in detection.hits}
        return [c for c, first, _ in ordered if c.replace is not None and first in present]

    def fix_texts(detection: Detection) -> list[str]:
        return _fix_texts(doc, checks(detection))[0]

    def settle(detection: Detection) -> None:
        verified = _verify(doc, checks(detection), rule)
        hits = []
        present = {h.first for h in detection.hits}
        for candidate, first, last in ordered:
            if first not in present:
                continue
            fixed = verified.get(id(candidate), False)
            correction = _corrected_quote(doc, first, last, candidate) if fixed else candidate.note
            confident = candidate.confident and (candidate.replace is None or fixed)
            hits.append(Hit(first, last, candidate.key, correction, confident=confident))
        detection.hits = hits

    hits = [Hit(f, last, c.key, c.note, confident=c.confident) for c, f, last in ordered]
    return Detection(code, hits, settle_fixes=settle, fix_texts=fix_texts)


def _corrected_quote(doc: Doc, first: int, last: int, candidate: Candidate) -> str:
    assert candidate.replace is not None
    start, end = doc.tokens[first].start, doc.tokens[last].end
    lo, hi, new = candidate.replace
    lo, hi = max(lo, start), min(hi, end) if hi > lo else lo
    return (doc.text[start:lo] + new + doc.text[hi:end]).strip()


def _fix_texts(doc: Doc, candidates: list[Candidate]) -> tuple[list[str], list[tuple[int, int]]]:
    """Each candidate's sentence with its fix applied, and where the fix sits in that text."""
    texts: list[str] = []
    ranges: list[tuple[int, int]] = []
    for c in candidates:
        assert c.replace is not None
        sent = c.first.sent
        lo, hi, new = c.replace
        start = sent.start_char
        text = doc.text[start:lo] + new + doc.text[hi : sent.end_char]
        texts.append(text)
        ranges.append((lo - start, lo - start + len(new)))
    return texts, ranges


def _verify(doc: Doc, candidates: list[Candidate], rule: SentenceRule) -> dict[int, bool]:
    """The candidates whose fix parses as intended and silences the rule at that place."""
    if not candidates:
        return {}
    texts, ranges = _fix_texts(doc, candidates)
    ok: dict[int, bool] = {}
    # Parsed in one batch with the other detections' fixes when settled together.
    for c, (lo, hi), fixed in zip(candidates, ranges, doc.reparse(texts), strict=True):
        changed = [t for t in fixed if t.idx < hi and t.idx + len(t.text) > lo and t.text.strip()]
        if not changed or (c.expect is not None and not any(c.expect(t) for t in changed)):
            continue
        still = [
            d
            for sent in fixed.sents
            for d in rule(doc, sent)
            if d.first.idx <= hi and d.last.idx + len(d.last.text) >= lo
        ]
        if not still:
            ok[id(c)] = True
    return ok


def _replace(first: P, last: P, key: str, target: P, new: str, tag: str | None) -> Candidate:
    """`target` replaced by `new` (in its case); the re-parse must tag the new word `tag`."""

    def expect(t: P) -> bool:
        return tag is None or t.tag_ == tag

    return Candidate(
        first,
        last,
        key,
        (target.idx, target.idx + len(target.text), _match_case(new, target.text)),
        expect,
    )


def _swap(first: P, last: P, key: str, target: P, new: str) -> Candidate:
    """`target` replaced by the word `new` (in its case), which the re-parse must keep."""
    return Candidate(
        first,
        last,
        key,
        (target.idx, target.idx + len(target.text), _match_case(new, target.text)),
        lambda t: t.lower_ == new,
    )
