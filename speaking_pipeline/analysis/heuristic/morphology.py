"""English word forms (lemmas, verb tenses, noun plurals) looked up in lemminflect's lexicon."""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _lemminflect() -> Any:
    """lemminflect, imported on first use: it imports spaCy when spaCy is installed, and the
    Dagster code location must load without paying for that. It ships its lexicon inside the
    wheel, so it works offline; no typing stubs exist."""
    import lemminflect  # type: ignore[import-untyped]

    return lemminflect


MODALS = frozenset(
    {"can", "could", "will", "would", "shall", "should", "may", "might", "must", "ought"}
)
_BE_PRESENT = {"am": "was", "is": "was", "are": "were", "'m": "was", "'re": "were"}


@lru_cache(maxsize=8192)
def lemmas(word: str) -> dict[str, tuple[str, ...]]:
    """Part of speech -> possible lemmas (NOUN, VERB, ADJ, ADV, AUX, PROPN)."""
    found: dict[str, tuple[str, ...]] = _lemminflect().getAllLemmas(word.casefold())
    return found


def verb_lemma(word: str) -> str | None:
    options = lemmas(word).get("VERB") or lemmas(word).get("AUX")
    return options[0] if options else None


@lru_cache(maxsize=8192)
def inflect(lemma: str, tag: str) -> str | None:
    forms: tuple[str, ...] | None = _lemminflect().getInflection(lemma, tag=tag)
    return forms[0] if forms else None


def is_base_verb(word: str) -> bool:
    """A bare verb form (go, take, live) that is not a modal."""
    w = word.casefold()
    if w in MODALS:
        return False
    return w in lemmas(w).get("VERB", ())


def is_third_person(word: str) -> bool:
    """A present third-person-singular form (goes, has, does)."""
    w = word.casefold()
    lemma = verb_lemma(w)
    return bool(lemma) and lemma != w and inflect(lemma, "VBZ") == w


def is_simple_past(word: str) -> bool:
    w = word.casefold()
    if w in ("was", "were", "did", "had", "didn't", "wasn't", "weren't", "hadn't", "couldn't"):
        return True
    lemma = verb_lemma(w)
    return bool(lemma) and lemma != w and inflect(lemma, "VBD") == w


def past_of(word: str) -> str | None:
    """The simple past of a present form: take -> took, wakes -> woke, am -> was."""
    w = word.casefold()
    if w in _BE_PRESENT:
        return _BE_PRESENT[w]
    if w in ("don't", "doesn't"):
        return "didn't"
    lemma = verb_lemma(w)
    return inflect(lemma, "VBD") if lemma else None


def third_person_of(word: str) -> str | None:
    w = word.casefold()
    special = {"don't": "doesn't", "have": "has", "are": "is", "were": "was", "haven't": "hasn't"}
    if w in special:
        return special[w]
    return inflect(w, "VBZ")


def base_of(word: str) -> str | None:
    return verb_lemma(word)


def past_equals_base(word: str) -> bool:
    """Verbs like put, cut, read whose past looks like the present."""
    lemma = verb_lemma(word)
    return bool(lemma) and inflect(lemma, "VBD") == lemma


def is_noun(word: str) -> bool:
    return "NOUN" in lemmas(word)


def is_singular_noun(word: str) -> bool:
    w = word.casefold()
    nouns = lemmas(w).get("NOUN", ())
    return w in nouns and inflect(w, "NNS") not in (None, w)


def is_plural_noun(word: str) -> bool:
    w = word.casefold()
    nouns = lemmas(w).get("NOUN", ())
    return bool(nouns) and w not in nouns and any(inflect(n, "NNS") == w for n in nouns)


def plural_of(noun: str) -> str:
    return inflect(noun.casefold(), "NNS") or noun + "s"


def singular_of(noun: str) -> str:
    nouns = lemmas(noun).get("NOUN", ())
    return nouns[0] if nouns else noun


@lru_cache(maxsize=8192)
def countability(lemma: str) -> str | None:
    """How a noun is counted, read from lemminflect's lexicon (built on the SPECIALIST lexicon,
    which marks nouns count or uncount): "count" when its only plural is a distinct form
    (place -> places), "mass" when the plural is the singular itself (furniture, traffic),
    "both" when the lexicon lists both uses (time, experience), None for unknown words."""
    plurals: tuple[str, ...] | None = (
        _lemminflect().getAllInflections(lemma.casefold(), upos="NOUN").get("NNS")
    )
    if not plurals:
        return None
    low = lemma.casefold()
    same, other = low in plurals, any(p != low for p in plurals)
    if other and not same:
        return "count"
    if same and not other:
        return "mass"
    return "both"


def is_adjective(word: str) -> bool:
    return "ADJ" in lemmas(word)


def is_adverb(word: str) -> bool:
    return "ADV" in lemmas(word)


def is_known(word: str) -> bool:
    return bool(lemmas(word))


def overregularised_past(word: str) -> str | None:
    """'buyed' -> 'bought': a regular -ed ending on a verb whose past is irregular."""
    w = word.casefold()
    if not w.endswith("ed") or len(w) < 4 or is_known(w):
        return None
    stems = [w[:-2], w[:-1]]
    if len(w) > 5 and w[-3] == w[-4]:
        stems.append(w[:-3])  # runned -> run
    if w.endswith("ied"):
        stems.append(w[:-3] + "y")
    for stem in stems:
        if stem in lemmas(stem).get("VERB", ()):
            past = inflect(stem, "VBD")
            if past and past != w and not past.endswith("ed"):
                return past
    return None
