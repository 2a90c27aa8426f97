"""Rule-based detectors, one function per taxonomy code, grouped by category."""

from __future__ import annotations

from collections.abc import Callable

from speaking_pipeline.analysis.heuristic.detectors import grammar, structure, vocabulary
from speaking_pipeline.analysis.heuristic.findings import Detection
from speaking_pipeline.analysis.heuristic.text import Doc

Detector = Callable[[Doc], Detection | None]

DETECTORS: dict[str, Detector] = {
    "grammar.article_omission": grammar.article_omission,
    "grammar.subject_verb_agreement": grammar.subject_verb_agreement,
    "grammar.past_tense": grammar.past_tense,
    "grammar.preposition": grammar.preposition,
    "grammar.plural_countable": grammar.plural_countable,
    "vocabulary.filler_words": vocabulary.filler_words,
    "vocabulary.connector_overuse": vocabulary.connector_overuse,
    "vocabulary.intensifier_overuse": vocabulary.intensifier_overuse,
    "vocabulary.vague_words": vocabulary.vague_words,
    "vocabulary.hedging": vocabulary.hedging,
    "vocabulary.word_repetition": vocabulary.word_repetition,
    "structure.repetitive_starters": structure.repetitive_starters,
    "structure.run_on_sentences": structure.run_on_sentences,
    "structure.short_sentences": structure.short_sentences,
    "structure.false_starts": structure.false_starts,
}
