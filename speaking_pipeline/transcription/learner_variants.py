"""Learner-style alternatives to a transcript's words, for checking them against the audio.

Whisper's decoder carries a language model that "repairs" learner grammar: a spoken "many
mistake" tends to come out as "many mistakes". Each edit proposed here is a form a learner
might really have said instead of the word Whisper wrote (the other number of a noun, the
other person or tense of a verb, another preposition or none, no article, "to" after a
modal). An article the learner said but Whisper left out ("a new shoes" heard as "new
shoes") is not offered back: inserting one before any word would multiply the variants.
Which of them the speaker said is decided by the audio, elsewhere; this module only lists them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import lemminflect

# Prepositions learners put in place of one another ("depend of", "interested about"); Whisper's
# prior picks the idiomatic one. Only these swaps are offered: on the benchmark, offering
# every pair scored a quarter more variants and kept no more errors.
PREPOSITION_SWAPS: dict[str, tuple[str, ...]] = {
    "of": ("on", "about", "for", "from", "in"),
    "on": ("of", "in", "at", "about"),
    "in": ("on", "at", "of", "during"),
    "at": ("in", "on", "to"),
    "about": ("of", "on", "for"),
    "for": ("of", "to", "about", "during"),
    "to": ("for", "at", "in"),
    "with": ("of", "to", "about"),
    "from": ("of",),
    "during": ("in", "for"),
}
PREPOSITIONS = frozenset(PREPOSITION_SWAPS)
ARTICLES = frozenset(("a", "an", "the"))
# "must to improve", "can to swim": Whisper drops the "to" learners put after a modal.
MODALS = frozenset(("must", "can", "should", "could", "would", "might", "may", "please"))

# be/have/do: the forms learners mix up, which lemminflect's tags do not pair up directly.
_AGREEMENT = {
    "is": ("are",),
    "are": ("is",),
    "was": ("were",),
    "were": ("was",),
    "am": ("is",),
    "has": ("have",),
    "have": ("has",),
    "had": ("have", "has"),
    "does": ("do",),
    "do": ("does",),
    "doesn't": ("don't",),
    "don't": ("doesn't",),
    "isn't": ("aren't",),
    "aren't": ("isn't",),
    "wasn't": ("weren't",),
    "weren't": ("wasn't",),
    "hasn't": ("haven't",),
    "haven't": ("hasn't",),
}
# Words lemminflect would inflect as if they were nouns or verbs ("my" -> "mys").
_CLOSED_CLASS_WORDS = """
    i you he she it we they me him her us them my your his its our their this that these those
    there here and or but so if because when then than not no yes very also too what who which
    where why how all some any many much more most few less one each every other such own same
    just only even still again ago yesterday today tomorrow be been being had having did done
    doing will shall ok okay um uh
"""
_CLOSED_CLASS = frozenset(_CLOSED_CLASS_WORDS.split())
# Which verb forms a learner swaps for which: the base form for the past or 3rd person and
# back.
_VERB_SWAPS: dict[str, tuple[str, ...]] = {
    "VBD": ("VB", "VBZ"),
    "VBN": ("VB",),
    "VBZ": ("VB", "VBD"),
    "VB": ("VBZ", "VBD"),
    "VBP": ("VBZ", "VBD"),
    "VBG": ("VB",),
}
# "I want to visiting": after "to", the -ing form for the base form.
_VERB_SWAPS_AFTER_TO = {**_VERB_SWAPS, "VB": ("VBG",)}
_NOUN_SWAPS: dict[str, tuple[str, ...]] = {"NN": ("NNS",), "NNS": ("NN",)}
# The word before tells a noun from a verb spelled the same: "the rules" is a noun, so it is
# not offered as "the ruled"; in "they work" it is a verb, so it gets verb forms only.
_BEFORE_NOUN = frozenset(
    [
        "a",
        "an",
        "the",
        "my",
        "your",
        "his",
        "her",
        "its",
        "our",
        "their",
        "this",
        "that",
        "these",
        "those",
        "many",
        "much",
        "some",
        "any",
        "few",
        "every",
        "each",
        "several",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
    ]
)
_BEFORE_VERB = frozenset(["i", "you", "he", "she", "it", "we", "they", "to"]) | MODALS
_CORE = re.compile(r"^(\W*)(.*?)(\W*)$")


@dataclass(frozen=True)
class Edit:
    """Replace words[start:end] with `words`; an empty tuple deletes, start == end inserts."""

    start: int
    end: int
    words: tuple[str, ...]

    def apply(self, text_words: list[str]) -> list[str]:
        return [*text_words[: self.start], *self.words, *text_words[self.end :]]


def split_word(word: str) -> tuple[str, str, str]:
    """Leading punctuation, the word itself, trailing punctuation: '"Now,' -> '"', 'Now', ','."""
    match = _CORE.match(word)
    assert match is not None  # the pattern matches any string
    lead, core, trail = match.groups()
    if core.endswith("'") and not core.endswith("s'"):
        core, trail = core[:-1], "'" + trail
    return lead, core, trail


def _like(original: str, replacement: str) -> str:
    """`replacement` with the capitalisation of `original` ("Depends" -> "Depend")."""
    if original[:1].isupper() and (original[1:2].islower() or len(original) == 1):
        return replacement[:1].upper() + replacement[1:]
    return replacement


@lru_cache(maxsize=4096)
def word_forms(word: str, before: str = "") -> tuple[str, ...]:
    """Other forms of one lower-case word a learner might say in its place, given the
    lower-case word before it (if any)."""
    if word in _AGREEMENT:
        return _AGREEMENT[word]
    if word in _CLOSED_CLASS or word in PREPOSITIONS or word in ARTICLES or len(word) < 3:
        return ()
    if not word.isalpha():
        return ()
    forms: list[str] = []
    lemmas = lemminflect.getAllLemmas(word)
    verb_swaps = _VERB_SWAPS_AFTER_TO if before == "to" else _VERB_SWAPS
    readings: list[tuple[str, dict[str, tuple[str, ...]]]] = [
        ("VERB", verb_swaps),
        ("NOUN", _NOUN_SWAPS),
    ]
    if before in _BEFORE_NOUN:
        readings = readings[1:]
    elif before in _BEFORE_VERB:
        readings = readings[:1]
    for upos, swaps in readings:
        for lemma in lemmas.get(upos, ()):
            inflections = lemminflect.getAllInflections(lemma, upos=upos)
            own_tags = [tag for tag, spelled in inflections.items() if word in spelled]
            for tag in own_tags:
                for other in swaps.get(tag, ()):
                    forms.extend(inflections.get(other, ()))
    return tuple(dict.fromkeys(f for f in forms if f != word and f.isalpha()))


def learner_edits(words: list[str]) -> list[Edit]:
    """Every single-word edit of `words` that turns it into something a learner might say."""
    edits: list[Edit] = []
    cores = [split_word(w) for w in words]
    for i, (lead, core, trail) in enumerate(cores):
        low = core.casefold()
        if not low:
            continue
        before = cores[i - 1][1].casefold() if i > 0 and not cores[i - 1][2] else ""
        for form in word_forms(low, before):
            edits.append(Edit(i, i + 1, (lead + _like(core, form) + trail,)))
        if low in PREPOSITIONS:
            for other in PREPOSITION_SWAPS[low]:
                edits.append(Edit(i, i + 1, (lead + _like(core, other) + trail,)))
        if (low in PREPOSITIONS or low in ARTICLES) and not lead and not trail:
            edits.append(Edit(i, i + 1, ()))
        nxt = cores[i + 1][1].casefold() if i + 1 < len(cores) else ""
        if low in MODALS and not trail and nxt and nxt != "to" and nxt not in _CLOSED_CLASS:
            edits.append(Edit(i + 1, i + 1, ("to",)))
        modal = "can" if low == "can't" else low[:-3]
        if low.endswith("n't") and modal in MODALS:
            # "can to swim" is heard as "can't swim"
            edits.append(Edit(i, i + 1, (lead + _like(core, modal), "to" + trail)))
    return edits
