"""What a detector reports: hits as token spans, and how they are quoted verbatim."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from speaking_pipeline.analysis.heuristic.text import Doc
from speaking_pipeline.domain.verbatim import normalise


@dataclass(frozen=True)
class Hit:
    """One occurrence of a pattern: tokens `first`..`last` of the transcript."""

    first: int
    last: int
    key: str
    correction: str | None = None
    # Token range to quote instead of the clause around the hit (e.g. a whole short sentence).
    quote_span: tuple[int, int] | None = None
    # False when the rule is less sure (a guessed countability, a narrative read across
    # sentences): such hits count towards a pattern but never make it severity high.
    confident: bool = True


@dataclass
class Detection:
    code: str
    hits: list[Hit]
    # Defaults to the number of hits; structure rules count sentences instead.
    frequency_override: int | None = None
    measures: dict[str, float] = field(default_factory=dict)
    # Fills in checked corrections (and the confidence they give) when called; None once done.
    settle_fixes: Callable[[Detection], None] | None = field(default=None, repr=False)
    # The corrected sentences `settle_fixes` will parse, so several detections can have them
    # parsed in one batch (settle_together).
    fix_texts: Callable[[Detection], list[str]] | None = field(default=None, repr=False)

    def settle(self) -> Detection:
        """Check the suggested fixes (grammar rules re-parse them); done at most once."""
        if self.settle_fixes is not None:
            settle, self.settle_fixes = self.settle_fixes, None
            settle(self)
        return self

    @property
    def pending_fix_texts(self) -> list[str]:
        if self.settle_fixes is None or self.fix_texts is None:
            return []
        return self.fix_texts(self)

    @property
    def frequency(self) -> int:
        return self.frequency_override if self.frequency_override is not None else len(self.hits)

    def key_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for hit in self.hits:
            counts[hit.key] = counts.get(hit.key, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


_DANGLING = frozenset(
    {
        "the",
        "a",
        "an",
        "my",
        "your",
        "his",
        "her",
        "our",
        "their",
        "in",
        "on",
        "at",
        "to",
        "of",
        "for",
        "with",
        "from",
        "and",
        "but",
        "so",
        "very",
        "really",
        "is",
        "was",
        "were",
        "are",
    }
)
MAX_SIDE_WORDS = 6
MIN_QUOTE_WORDS = 5
MAX_QUOTE_WORDS = 22


def settle_together(doc: Doc, detections: Iterable[Detection]) -> None:
    """Settle several detections, their corrected sentences parsed in one spaCy batch
    instead of one call per detection; the same fixes as settling them one by one."""
    pending = [d for d in detections if d.settle_fixes is not None]
    doc.reparse([text for d in pending for text in d.pending_fix_texts])
    for detection in pending:
        detection.settle()


def quote_span(doc: Doc, hit: Hit, within: tuple[int, int] | None = None) -> tuple[int, int]:
    """Token range of a clause-length quote around the hit, inside its sentence (and inside
    `within`, when given, which must hold the hit)."""
    if hit.quote_span is not None:
        first, last = hit.quote_span
        if last - first + 1 > MAX_QUOTE_WORDS:
            last = first + MAX_QUOTE_WORDS - 1
        sentence_end = doc.sentences[doc.tokens[last].sentence].end_index
        return first, _finish_phrase(doc, last, sentence_end)
    sentence = doc.sentences[doc.tokens[hit.first].sentence]
    lo = sentence.tokens[0].index
    hi = doc.sentences[doc.tokens[hit.last].sentence].tokens[-1].index
    if within is not None:
        lo, hi = max(lo, within[0]), min(hi, within[1])
    start, end = hit.first, hit.last
    while end < hi and end - hit.last < MAX_SIDE_WORDS and not doc.tokens[end].comma_after:
        end += 1
    while start > lo and hit.first - start < MAX_SIDE_WORDS and not doc.tokens[start].comma_before:
        start -= 1
    # Too short to read on its own: cross commas (never sentence ends) to reach a readable length.
    while end - start + 1 < MIN_QUOTE_WORDS:
        if end < hi and end - hit.last < MAX_SIDE_WORDS:
            end += 1
        elif start > lo and hit.first - start < MAX_SIDE_WORDS:
            start -= 1
        else:
            break
    return start, _finish_phrase(doc, end, hi)


def _finish_phrase(doc: Doc, end: int, hi: int) -> int:
    """Don't stop on "the" or "in": finish the phrase when it is close."""
    extra = 0
    while end < hi and extra < 2 and doc.tokens[end].norm in _DANGLING:
        if doc.tokens[end].comma_after:
            break
        end += 1
        extra += 1
    return end


def pick_examples(doc: Doc, hits: list[Hit], limit: int = 3) -> list[str]:
    """Up to `limit` distinct, non-overlapping verbatim quotes, preferring different keys."""
    ordered: list[Hit] = []
    seen_keys: set[str] = set()
    for hit in hits:
        if hit.key not in seen_keys:
            ordered.append(hit)
            seen_keys.add(hit.key)
    ordered += [h for h in hits if h not in ordered]

    quotes = _distinct_quotes(doc, ordered, limit, lambda hit: quote_span(doc, hit))
    if len(quotes) < 2 <= len(hits):
        # Two slips in one clause make one clause quote; quote each up to the other instead
        # of losing the second (a pattern needs two quotes to be reported).
        tight = _distinct_quotes(doc, ordered, limit, lambda hit: _tight_span(doc, hit, hits))
        if len(tight) > len(quotes):
            return tight
    return quotes


def _distinct_quotes(
    doc: Doc, ordered: list[Hit], limit: int, span_of: Callable[[Hit], tuple[int, int] | None]
) -> list[str]:
    chosen: list[tuple[int, int]] = []
    quotes: list[str] = []
    seen_text: set[str] = set()
    for hit in ordered:
        span = span_of(hit)
        if span is None or any(span[0] <= other[1] and other[0] <= span[1] for other in chosen):
            continue
        text = doc.quote(*span)
        if normalise(text) in seen_text:
            continue
        chosen.append(span)
        seen_text.add(normalise(text))
        quotes.append(text)
        if len(quotes) == limit:
            break
    # Keep quotes in transcript order so they read naturally.
    return [q for _, q in sorted(zip(chosen, quotes, strict=True))]


def _tight_span(doc: Doc, hit: Hit, hits: list[Hit]) -> tuple[int, int] | None:
    """The hit's quote kept clear of the quotes of the other hits: the words between two hits
    are shared out at the middle. None when the hit overlaps another."""
    if hit.quote_span is not None:
        return None
    lo, hi = 0, len(doc.tokens) - 1
    for other in hits:
        if other is hit:
            continue
        if other.last < hit.first:
            lo = max(lo, (other.last + hit.first) // 2 + 1)
        elif other.first > hit.last:
            hi = min(hi, (hit.last + other.first) // 2)
        else:
            return None
    return quote_span(doc, hit, within=(lo, hi))
