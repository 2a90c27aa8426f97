"""Small word-class helpers shared by the detectors."""

from __future__ import annotations

from speaking_pipeline.analysis.heuristic import lexicons as lx
from speaking_pipeline.analysis.heuristic import morphology as morph
from speaking_pipeline.analysis.heuristic.text import Doc, Token

# Words that open a clause, so a following pronoun is a subject, not an object.
CLAUSE_OPENERS = frozenset(
    {
        "and",
        "but",
        "so",
        "because",
        "when",
        "if",
        "that",
        "then",
        "although",
        "though",
        "while",
        "whereas",
        "since",
        "until",
        "after",
        "before",
        "once",
        "where",
        "now",
        "maybe",
        "also",
        "actually",
        "probably",
        "sometimes",
        "usually",
        "often",
        "or",
        "honestly",
        "unfortunately",
        "luckily",
        "anyway",
        "well",
        "yes",
        "no",
        "okay",
        "basically",
        "um",
        "uh",
        "er",
        "erm",
        "yesterday",
        "today",
        "finally",
        "later",
        "first",
        "afterwards",
        "perhaps",
        "suddenly",
        "still",
        "plus",
        "besides",
        "why",
        "how",
        "think",
        "guess",
        "remember",
        "know",
        "believe",
        "mean",
        "sure",
        "hope",
        "say",
        "said",
        "says",
        "thought",
        "knew",
        "remembered",
        "felt",
        "feel",
        "like",
        "ago",
        "night",
        "week",
        "year",
        "month",
        "morning",
        "evening",
        "summer",
        "winter",
        "spring",
        "autumn",
        "weekend",
        "day",
        "time",
        "realise",
        "realize",
        "especially",
        "again",
        "here",
        "there",
    }
)
# Adjective/adverb-looking words that are common verbs after a subject.
VERBS_ALSO_ADJECTIVES = frozenset(
    {
        "live",
        "clean",
        "close",
        "open",
        "free",
        "slow",
        "dry",
        "empty",
        "warm",
        "cool",
        "calm",
        "complete",
        "correct",
        "separate",
        "mean",
        "like",
        "own",
        "need",
        "want",
        "work",
        "love",
        "prefer",
        "last",
        "check",
        "wake",
        "move",
        "study",
        "decide",
        "start",
        "finish",
        "visit",
        "hate",
        "know",
        "think",
        "feel",
        "play",
        "watch",
        "travel",
        "cook",
        "walk",
        "run",
        "drive",
        "ride",
        "spend",
        "pay",
        "buy",
        "sell",
        "help",
        "try",
        "find",
        "forget",
        "remember",
        "understand",
        "speak",
        "talk",
        "say",
        "tell",
        "ask",
        "teach",
        "learn",
    }
)


def is_determiner(token: Token | None) -> bool:
    if token is None:
        return False
    norm = token.norm
    if norm in lx.DETERMINERS or norm.isdigit():
        return True
    possessive = norm.endswith("'s") or norm.endswith("s'")
    return possessive and norm not in lx.COPULA_CONTRACTIONS


def is_modifier(token: Token) -> bool:
    """An adjective or intensifier that can sit between a determiner and its noun."""
    norm = token.norm
    if norm in lx.DETERMINERS or norm in lx.COUNT_NOUNS or norm in lx.INSTITUTIONAL_NOUNS:
        return False
    if norm in lx.INTENSIFIERS and norm not in ("so", "pretty"):
        return True
    if "-" in norm:
        return True
    return morph.is_adjective(norm) and norm not in lx.PREPOSITIONS


def modifier_chain(doc: Doc, index: int, limit: int = 3) -> int:
    """How many modifiers start at token `index` (stopping at punctuation)."""
    count = 0
    while count < limit and index + count < len(doc.tokens):
        token = doc.tokens[index + count]
        if count and token.comma_before:
            break
        if not is_modifier(token):
            break
        count += 1
    return count


def is_lexical_verb_form(norm: str) -> bool:
    """A bare verb after a subject; adjective/adverb look-alikes (still, even) excluded."""
    if norm in morph.MODALS or norm in ("be", "am", "is", "are", "was", "were"):
        return False
    if not morph.is_base_verb(norm):
        return False
    if norm in VERBS_ALSO_ADJECTIVES:
        return True
    return not (morph.is_adjective(norm) or morph.is_adverb(norm))


def subject_position(doc: Doc, token: Token) -> bool:
    """The token starts a clause (sentence start, after a comma or a clause opener)."""
    before = doc.prev(token)
    return before is None or token.comma_before or before.norm in CLAUSE_OPENERS


def skip_adverbs(doc: Doc, token: Token, limit: int = 2) -> Token | None:
    """The first token after `token` that is not a frequency adverb (same sentence)."""
    nxt = doc.next(token)
    skipped = 0
    while nxt is not None and nxt.norm in lx.FREQUENCY_ADVERBS and skipped < limit:
        if nxt.comma_before:
            return None
        nxt = doc.next(nxt)
        skipped += 1
    if nxt is not None and nxt.comma_before:
        return None
    return nxt


# Words spelt with a vowel but said with a consonant ("a university", "a European"), and
# the other way round ("an hour").
_YOU_SOUND = ("uni", "unanim", "use", "usu", "uti", "ura", "uro", "ubiq", "uk", "ufo", "eu")
_ONE_SOUND = ("one", "once")
_SILENT_H = ("hour", "honest", "honour", "honor", "heir")


def indefinite_article(word: str) -> str:
    w = word.casefold()
    if w.startswith(_YOU_SOUND + _ONE_SOUND):
        return "a"
    if w.startswith(_SILENT_H):
        return "an"
    return "an" if w[:1] in "aeiou" else "a"
