"""The pattern taxonomy: stable codes that let profiles aggregate one pattern across sessions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Category = Literal["grammar", "vocabulary", "structure"]


@dataclass(frozen=True)
class PatternCode:
    code: str
    name: str
    meaning: str

    @property
    def category(self) -> Category:
        head = self.code.split(".", 1)[0]
        assert head in ("grammar", "vocabulary", "structure")
        return head  # type: ignore[return-value]


TAXONOMY: dict[str, PatternCode] = {
    p.code: p
    for p in (
        PatternCode(
            "grammar.article_omission",
            "Missing articles",
            "missing a/an/the where English needs one",
        ),
        PatternCode(
            "grammar.subject_verb_agreement",
            "Subject-verb agreement",
            '"he go", "she don\'t", "people is"',
        ),
        PatternCode(
            "grammar.past_tense",
            "Present forms for past events",
            'present forms used for past events ("yesterday I go")',
        ),
        PatternCode(
            "grammar.preposition",
            "Wrong or missing prepositions",
            'wrong or missing prepositions ("depend of", "married with")',
        ),
        PatternCode(
            "grammar.plural_countable",
            "Plurals and countability",
            'uncountable nouns pluralised, missing plural -s ("many informations")',
        ),
        PatternCode(
            "vocabulary.filler_words",
            "Filler words",
            "um, uh, like, you know, basically, I mean as fillers",
        ),
        PatternCode(
            "vocabulary.connector_overuse",
            "Connector overuse",
            "one connector (so, and then, but) carries most of the linking",
        ),
        PatternCode(
            "vocabulary.intensifier_overuse",
            "Intensifier overuse",
            "very / really / so stacked instead of precise adjectives",
        ),
        PatternCode(
            "vocabulary.vague_words",
            "Vague words",
            "thing, stuff, good, nice, bad doing the work of precise words",
        ),
        PatternCode(
            "vocabulary.hedging",
            "Heavy hedging",
            "maybe, I guess, kind of, sort of, I suppose piled up",
        ),
        PatternCode(
            "vocabulary.word_repetition",
            "Word repetition",
            "the same content word or phrase repeated; low lexical diversity",
        ),
        PatternCode(
            "structure.repetitive_starters",
            "Repetitive sentence starters",
            'many sentences opening the same way ("I think…", "The…")',
        ),
        PatternCode(
            "structure.run_on_sentences",
            "Run-on sentences",
            "long chains glued with and/and then/so",
        ),
        PatternCode(
            "structure.short_sentences",
            "Only short sentences",
            "only short simple sentences; complexity avoided",
        ),
        PatternCode(
            "structure.false_starts",
            "False starts",
            'restarts and self-repairs ("I, I went", "we go— we went")',
        ),
    )
}

_OTHER = re.compile(r"^other\.[a-z0-9]+(?:_[a-z0-9]+)*$")


def is_valid_code(code: str) -> bool:
    """A code is valid when it is in the taxonomy or is an `other.<slug>` code."""
    return code in TAXONOMY or bool(_OTHER.match(code))


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return slug[:60].strip("_") or "unnamed"


def other_code(pattern_name: str) -> str:
    return f"other.{slugify(pattern_name)}"


def category_of(code: str) -> Category | None:
    entry = TAXONOMY.get(code)
    return entry.category if entry else None
