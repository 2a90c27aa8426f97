"""Chooses between Whisper's wording and learner variants of it by what the audio supports.

Whisper's decoder is also a language model: its greedy output leans toward fluent grammar
("many mistake" comes out "many mistakes"). For each learner variant of the hypothesis we
compare two teacher-forced log-probabilities of the whole word sequence: given the audio,
and given no speech at all (silence), which measures the decoder's prior on its own. A
variant wins when the audio supports it better than the hypothesis once part of that prior
is taken out: gain = Δ log p(text | audio) − PRIOR_WEIGHT · Δ log p(text | silence).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from speaking_pipeline.transcription.learner_variants import Edit, learner_edits

# Log-probabilities of whole word sequences (joined with spaces), one per sequence.
SequenceScorer = Callable[[Sequence[str]], list[float]]

# Measured on the verbatim benchmark (docs/benchmarks.md): 0 keeps Whisper's prior whole;
# 1 removes all of it, and then variants win that the audio does not support.
PRIOR_WEIGHT = 0.6
# Nats by which a variant must beat the hypothesis: ties go to what Whisper wrote.
MARGIN = 1.0
# A variant that only deletes words ("to the park" -> "to park") needs more: a shorter text
# loses a log-probability term, so it scores higher for being shorter. Seen on a clip that
# said "the park": the deletion gained 1.6 nats. On the verbatim benchmark (336 planted
# spans) 1.0, 1.8, 2.0 and 2.5 kept 59.8, 59.8, 60.4 and 57.7 % of them.
DELETION_MARGIN = 2.0
# Words Whisper heard with more confidence than this are not questioned: on the benchmark
# this left a fifth of the variants unscored and kept as many planted errors (at 0.95, half
# went unscored, but some errors were lost).
MAX_CONFIDENCE = 0.99
# Edits to score after the first pass, next to the ones applied ("depends on" -> "depend of").
_SECOND_PASS_REACH = 1


@dataclass(frozen=True)
class Choice:
    edit: Edit
    gain: float


def _gains(
    words: list[str],
    edits: Sequence[Edit],
    score_audio: SequenceScorer,
    score_prior: SequenceScorer,
    prior_weight: float,
) -> list[Choice]:
    texts = [" ".join(words)] + [" ".join(edit.apply(words)) for edit in edits]
    audio = score_audio(texts)
    prior = score_prior(texts)
    return [
        Choice(edit, (audio[k] - audio[0]) - prior_weight * (prior[k] - prior[0]))
        for k, edit in enumerate(edits, start=1)
    ]


def _in_doubt(edit: Edit, confidences: Sequence[float | None] | None) -> bool:
    """Whether Whisper was unsure enough of the words an edit touches (for an insertion, of
    the word before it) for the edit to be worth scoring."""
    if confidences is None:
        return True
    positions = range(edit.start, edit.end) if edit.end > edit.start else [edit.start - 1]
    known = [confidences[i] for i in positions if 0 <= i < len(confidences)]
    return any(p is None or p <= MAX_CONFIDENCE for p in known) or not known


def _span(edit: Edit) -> set[int]:
    """Word positions an edit rewrites (an insertion: the position it inserts at)."""
    return set(range(edit.start, max(edit.end, edit.start + 1)))


def _best_apart(choices: list[Choice], margin: float) -> list[Edit]:
    """The winning edits, best first, skipping any that touches or abuts one already taken:
    neighbouring edits explain the same stretch of audio and were scored one at a time."""
    taken: list[Edit] = []
    covered: set[int] = set()
    for choice in sorted(choices, key=lambda c: -c.gain):
        if choice.gain <= margin:
            break
        edit = choice.edit
        if not edit.words and choice.gain <= max(margin, DELETION_MARGIN):
            continue
        reach = set(range(edit.start - 1, max(edit.end, edit.start + 1) + 1))
        if reach & covered:
            continue
        covered |= set(range(edit.start, max(edit.end, edit.start + 1)))
        taken.append(edit)
    return taken


# A word of the result and the index of the hypothesis word it replaces (None: inserted).
Placed = tuple[str, int | None]


def apply_edits(items: list[Placed], edits: Sequence[Edit]) -> list[Placed]:
    """Apply non-overlapping edits, rightmost first so earlier indices stay valid."""
    for edit in sorted(edits, key=lambda e: (-e.start, -e.end)):
        replaced = items[edit.start : edit.end]
        new = [
            (word, replaced[k][1] if k < len(replaced) else None)
            for k, word in enumerate(edit.words)
        ]
        items = [*items[: edit.start], *new, *items[edit.end :]]
    return items


def learner_rescore(
    words: list[str],
    score_audio: SequenceScorer,
    score_prior: SequenceScorer,
    *,
    confidences: Sequence[float | None] | None = None,
    prior_weight: float = PRIOR_WEIGHT,
    margin: float = MARGIN,
) -> list[Placed]:
    """`words` with the learner variants the audio supports better, each placed against the
    hypothesis word it replaces; `words` unchanged (all placed) when none wins.
    `confidences` are Whisper's word probabilities, if known (see MAX_CONFIDENCE)."""
    items: list[Placed] = [(word, i) for i, word in enumerate(words)]
    candidates = [e for e in learner_edits(words) if _in_doubt(e, confidences)]
    if not candidates:
        return items
    first = _best_apart(_gains(words, candidates, score_audio, score_prior, prior_weight), margin)
    if not first:
        return items
    items = apply_edits(items, first)
    # A second, local pass: an applied edit can make its neighbour's variant the better
    # reading ("depends on" -> "depend on" -> "depend of"). Changed words stay as they are.
    changed = {i for i, (word, src) in enumerate(items) if src is None or word != words[src]}
    near = {j for i in changed for j in range(i - _SECOND_PASS_REACH, i + _SECOND_PASS_REACH + 1)}
    new_words = [word for word, _ in items]
    second = [
        edit
        for edit in learner_edits(new_words)
        if edit.start in near and not changed & _span(edit)
    ]
    if second:
        chosen = _best_apart(
            _gains(new_words, second, score_audio, score_prior, prior_weight), margin
        )
        items = apply_edits(items, chosen)
    return items
