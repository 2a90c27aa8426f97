"""When a pattern counts as recurring and how much it matters (explained in docs/heuristics.md)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from speaking_pipeline.domain.taxonomy import TAXONOMY


@dataclass(frozen=True)
class Rule:
    """A pattern is reported when it occurs at least `min_count` times AND at least
    `per_100_words` times per 100 words, so longer transcripts need proportionally more."""

    min_count: int
    per_100_words: float = 0.0

    def required(self, words: int) -> int:
        return max(self.min_count, math.ceil(self.per_100_words * words / 100 - 1e-9))


# Impact of a pattern on how a listener perceives the speaker: 2 high, 1 medium, 0 low.
HIGH, MEDIUM, LOW = 2, 1, 0


@dataclass(frozen=True)
class CodeRule:
    rule: Rule
    impact: int


CODE_RULES: dict[str, CodeRule] = {
    "grammar.article_omission": CodeRule(Rule(2, 0.8), MEDIUM),
    "grammar.subject_verb_agreement": CodeRule(Rule(2, 0.8), HIGH),
    "grammar.past_tense": CodeRule(Rule(2, 1.0), HIGH),
    "grammar.preposition": CodeRule(Rule(2, 0.8), MEDIUM),
    "grammar.plural_countable": CodeRule(Rule(2, 0.8), MEDIUM),
    "vocabulary.filler_words": CodeRule(Rule(3, 1.2), MEDIUM),
    "vocabulary.connector_overuse": CodeRule(Rule(4, 1.6), LOW),
    "vocabulary.intensifier_overuse": CodeRule(Rule(4, 1.6), LOW),
    "vocabulary.vague_words": CodeRule(Rule(5, 2.0), LOW),
    "vocabulary.hedging": CodeRule(Rule(3, 1.2), LOW),
    "vocabulary.word_repetition": CodeRule(Rule(4, 0.0), LOW),
    "structure.repetitive_starters": CodeRule(Rule(3, 0.0), LOW),
    "structure.run_on_sentences": CodeRule(Rule(2, 0.0), MEDIUM),
    "structure.short_sentences": CodeRule(Rule(6, 0.0), MEDIUM),
    "structure.false_starts": CodeRule(Rule(3, 1.0), LOW),
}

# Every taxonomy code has exactly one rule: a code added to the taxonomy fails here, not later.
if set(CODE_RULES) != set(TAXONOMY):
    raise ImportError(f"CODE_RULES and TAXONOMY differ: {sorted(set(CODE_RULES) ^ set(TAXONOMY))}")

# A count at least this many times the required count raises severity one level.
SEVERITY_STEP_RATIO = 2.0

# vocabulary.connector_overuse: the top connector's share of all linking words.
CONNECTOR_MIN_SHARE = 0.4

# vocabulary.word_repetition: per content word (lemma).
ADJECTIVE_REPETITION = Rule(4, 2.0)  # adjectives and adverbs
NOUN_REPETITION = Rule(5, 3.5)
VERB_REPETITION = Rule(6, 4.5)  # topic verbs (buy, cook) recur naturally
# A repeated noun must bunch up: this many occurrences within this many words.
REPETITION_CLUSTER_COUNT = 3
REPETITION_CLUSTER_WORDS = 40

# structure.repetitive_starters
STARTER_MIN_SENTENCES = 5
STARTER_PHRASE = Rule(3)  # the same two or three opening words
STARTER_PHRASE_SHARE = 0.25
STARTER_WORD = Rule(5)  # the same first word
STARTER_WORD_SHARE = 0.65
STARTER_I_SHARE = 0.75  # "I" opens many sentences of any personal story

# structure.run_on_sentences: a sentence glued together with and / and then / so / but.
RUN_ON_MIN_WORDS = 30
RUN_ON_MIN_LINKS = 3
RUN_ON_WORDS_PER_LINK = 15.0
RUN_ON_MAX_COMMAS_PER_LINK = 1.0
RUN_ON_CHAIN_GAP_WORDS = 14  # unpunctuated transcripts: links this close form one chain
RUN_ON_CHAIN_LINKS = 4

# structure.short_sentences
SHORT_SENTENCE_WORDS = 8
SHORT_MIN_SENTENCES = 6
SHORT_MAX_MEAN_WORDS = 8.5
SHORT_MIN_SHARE = 0.6
SHORT_MAX_SUBORDINATION = 0.3  # subordinate clauses per sentence
