"""Grammar detectors over spaCy's parse: articles, agreement, past tense, prepositions, plurals.

Each rule reads tags, morphology and the dependency tree of en_core_web_sm, so it finds the
error in any words rather than in a list of phrases. A suggested fix is applied to its sentence
and parsed again: it is kept only when the new parse has the intended form and the rule no
longer fires there. Otherwise the hit is reported without a fix (the pattern is named, nothing
is invented).

One module per taxonomy code, over three shared layers: `countability` (which nouns count),
`syntax` (subjects and number in the tree), `past_time` (when a clause is set in the past), and
`candidates` (fix checking). Names with a leading underscore are private to this package.
"""

from speaking_pipeline.analysis.heuristic.detectors.grammar.agreement import (
    subject_verb_agreement,
)
from speaking_pipeline.analysis.heuristic.detectors.grammar.articles import article_omission
from speaking_pipeline.analysis.heuristic.detectors.grammar.plurals import plural_countable
from speaking_pipeline.analysis.heuristic.detectors.grammar.prepositions import preposition
from speaking_pipeline.analysis.heuristic.detectors.grammar.tense import past_tense

__all__ = [
    "article_omission",
    "past_tense",
    "plural_countable",
    "preposition",
    "subject_verb_agreement",
]
