"""Which nouns count: word lists and lemminflect's lexicon, read by the article and number rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from speaking_pipeline.analysis.heuristic import lexicons as lx
from speaking_pipeline.analysis.heuristic import morphology as morph

if TYPE_CHECKING:
    from spacy.tokens import Token as P

# Nouns that are countable in one sense and uncountable in another ("a time" / "no time"), so
# their use elsewhere in the transcript proves nothing.
_MASS_TOO = lx.words(
    """
    time work life experience business school room space paper food hair light art sport
    language culture society technology education nature history music love success power
    water money energy fun information advice travel transport research study training health
    change freedom knowledge english business fire coffee tea wine beer cake chocolate glass
    iron noise sound pressure crime violence war peace death birth television tv internet
    media radio homework housework progress behaviour behavior weather help damage evidence
    communication competition opinion practice service environment income quality safety
    security attention advertising shopping reading writing learning teaching marketing
    management technology society government medicine law science engineering design
    college university church hospital prison bed town class sea court home holiday vacation
    breakfast lunch dinner camp work office day night morning evening afternoon week year month
    future past present end beginning top bottom front middle cinema exercise company choice
    summer winter spring autumn action view theatre theater
    pasta rice meat cheese fruit salad soup pizza sugar salt butter milk juice beef pork
    """
)
_DET_TAGS = frozenset({"DT", "PRP$", "WP$", "CD", "POS", "WDT", "PDT"})


_PLURAL_QUANTIFIERS = lx.words("many several few various numerous both these those")
_NUMBERS = {
    w: n
    for n, w in enumerate(
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    )
}


def _count(token: P) -> int | None:
    low = token.lower_.replace(",", "")
    if low.isdigit():
        return int(low)
    if low in _NUMBERS:
        return _NUMBERS[low]
    if low in ("eleven", "twelve", "twenty", "thirty", "forty", "fifty", "hundred", "thousand"):
        return 11
    return None


def _countable(lemma: str) -> bool:
    """Certainly a count noun: in the project's list, or marked count only in lemminflect's
    lexicon, and not one that is also used uncounted ("time", "work")."""
    if lemma in _MASS_TOO or lemma in lx.UNCOUNTABLE_NOUNS or lemma in lx.INVARIANT_NOUNS:
        return False
    if lemma in lx.COUNT_NOUNS:
        return True
    # "nothing", "someone" and "mine" are count nouns in the lexicon but pronouns here.
    return morph.countability(lemma) == "count" and lemma not in _PRONOUN_NOUNS


# Nouns said without "a" after "be" + adjective: "it is hard work", "it was great fun".
_ATTR_MASS_OK = lx.words(
    """
    work fun luck sense value news advice progress information help time weather stuff
    business nonsense rubbish trouble pleasure importance use english music food money
    quality interest evidence proof damage pressure power energy training practice behaviour
    behavior
    """
)
_PRONOUN_NOUNS = lx.words(
    """
    nothing nobody someone somebody anyone anybody everyone everybody something anything
    everything one none mine yours ours theirs hers half no-one
    """
)
