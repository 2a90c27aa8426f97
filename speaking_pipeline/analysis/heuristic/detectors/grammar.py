"""Grammar detectors: articles, agreement, past tense, prepositions, plurals and countability."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from speaking_pipeline.analysis.heuristic import lexicons as lx
from speaking_pipeline.analysis.heuristic import morphology as morph
from speaking_pipeline.analysis.heuristic.detectors.common import (
    indefinite_article,
    is_determiner,
    is_lexical_verb_form,
    modifier_chain,
    skip_adverbs,
    subject_position,
)
from speaking_pipeline.analysis.heuristic.findings import Detection, Hit
from speaking_pipeline.analysis.heuristic.text import Doc, Sentence, Token


def _detection(code: str, hits: Iterable[Hit]) -> Detection | None:
    unique: dict[int, Hit] = {}
    for hit in hits:
        unique.setdefault(hit.first, hit)
    ordered = sorted(unique.values(), key=lambda h: h.first)
    return Detection(code, ordered) if ordered else None


def _phrase(doc: Doc, first: int, last: int) -> str:
    return " ".join(t.norm for t in doc.tokens[first : last + 1])


def _said(doc: Doc, first: int, last: int) -> str:
    """The words as spoken (original case), for corrections."""
    return " ".join(t.text for t in doc.tokens[first : last + 1])


def _prev_word(doc: Doc, token: Token) -> Token | None:
    """The previous token in the sentence, skipping filled pauses."""
    before = doc.prev(token)
    while before is not None and before.norm in lx.FILLED_PAUSES:
        before = doc.prev(before)
    return before


# --- grammar.article_omission -----------------------------------------------------------------

_THE_PLACES = frozenset(
    {
        "cinema",
        "theatre",
        "theater",
        "supermarket",
        "office",
        "station",
        "airport",
        "beach",
        "park",
        "gym",
        "museum",
        "farm",
        "bank",
        "library",
        "market",
        "mall",
        "pharmacy",
        "bakery",
        "doctor",
        "dentist",
        "centre",
        "center",
        "city",
        "countryside",
        "mountains",
    }
)
_ARTICLE_PREPOSITIONS = frozenset(
    {
        "in",
        "at",
        "to",
        "from",
        "into",
        "near",
        "for",
        "with",
        "without",
        "on",
        "under",
        "behind",
        "inside",
        "outside",
        "as",
        "of",
        "about",
        "through",
        "across",
        "around",
        "during",
        "onto",
        "towards",
    }
)


def _noun_needs_article(doc: Doc, noun: Token, modifiers: int) -> str | None:
    """Which article a bare noun here needs: 'a', 'the', or None if it may stand bare."""
    norm = noun.norm
    is_name = noun.capitalised and not noun.ends_sentence_before and doc.prev(noun) is not None
    if is_name and norm not in lx.COUNT_NOUNS:
        return None
    if norm in lx.UNIQUE_NOUNS:
        kind = "the"
    elif norm in lx.COUNT_NOUNS or (norm in lx.INSTITUTIONAL_NOUNS and modifiers):
        kind = "a"
    else:
        return None
    after = doc.next(noun)
    if after is not None and not noun.comma_after:
        # A noun modifying the next noun ("car park", "job interview") is not the head.
        if after.norm in lx.COUNT_NOUNS or after.norm in lx.INSTITUTIONAL_NOUNS:
            return None
        if (
            morph.is_noun(after.norm)
            and not morph.is_base_verb(after.norm)
            and not morph.is_adjective(after.norm)
            and not morph.is_adverb(after.norm)
            and after.norm not in lx.STOPWORDS
            and after.norm not in lx.PREPOSITIONS
        ):
            return None
        if after.norm in ("'s", "of") and norm in ("member", "part", "head"):
            return None
    return kind


def _article_fix(doc: Doc, trigger: Token, first: int, noun: Token, article: str) -> str:
    words = " ".join(t.text for t in doc.tokens[first : noun.index + 1])
    if article == "a":
        article = indefinite_article(doc.tokens[first].norm)
    return f"{trigger.text} {article} {words}"


def article_omission(doc: Doc) -> Detection | None:
    hits: list[Hit] = []
    tokens = doc.tokens
    for trigger in tokens:
        nxt = doc.next(trigger)
        if nxt is None or trigger.comma_after:
            continue
        norm = trigger.norm
        lemma = morph.verb_lemma(norm) if norm not in lx.BE_FORMS else None
        is_copula = norm in lx.COPULAS or norm in lx.COPULA_CONTRACTIONS
        is_verb = (
            lemma in lx.TRANSITIVE_VERBS
            and norm not in lx.COUNT_NOUNS
            and not is_determiner(doc.prev(trigger))
        )
        is_prep = norm in _ARTICLE_PREPOSITIONS
        if not (is_copula or is_verb or is_prep):
            continue
        if is_determiner(nxt):
            continue
        modifiers = modifier_chain(doc, nxt.index)
        noun = doc.next(nxt, modifiers) if modifiers else nxt
        if noun is None or (noun.comma_before and modifiers):
            continue
        kind = _noun_needs_article(doc, noun, modifiers)
        if kind is None:
            continue
        chain = doc.tokens[nxt.index : noun.index]
        if morph.is_adjective(noun.norm) and (
            is_copula or all(t.norm in lx.INTENSIFIERS for t in chain)
        ):
            continue  # "he is (very) patient" uses the adjective
        if noun.norm in lx.INSTITUTIONAL_NOUNS and all(
            t.norm in lx.CLASSIFIER_ADJECTIVES for t in chain
        ):
            continue  # "in secondary school"
        if _bare_noun_allowed(doc, trigger, noun, modifiers, is_prep, lemma):
            continue
        directional = norm in ("to", "at", "from", "into")
        if is_prep and kind == "a" and not modifiers and directional and noun.norm in _THE_PLACES:
            kind = "the"
        hits.append(
            Hit(
                trigger.index,
                noun.index,
                key=_phrase(doc, trigger.index, noun.index),
                correction=_article_fix(doc, trigger, nxt.index, noun, kind),
            )
        )
    hits += _superlatives(doc)
    hits += _fixed_article_phrases(doc)
    return _detection("grammar.article_omission", hits)


def _bare_noun_allowed(
    doc: Doc, trigger: Token, noun: Token, modifiers: int, is_prep: bool, lemma: str | None
) -> bool:
    norm = trigger.norm
    if not modifiers and (norm, noun.norm) in lx.BARE_NOUN_IDIOMS:
        return True
    if lemma and not modifiers and (lemma, noun.norm) in lx.BARE_NOUN_IDIOMS:
        return True
    if is_prep:
        before = doc.prev(trigger)
        # "day by day", "from city to city", "face to face"
        if before is not None and before.norm == noun.norm:
            return True
        after = doc.next(noun)
        after2 = doc.next(noun, 2)
        if after is not None and after2 is not None and after2.norm == noun.norm:
            return True
        if norm == "of" and (before is None or before.norm in lx.OF_BARE_OK):
            return True
        if norm == "as" and before is not None and before.norm in ("such", "well", "same"):
            return True
        # "to" + verb-like noun is usually an infinitive ("to park", "to book").
        if norm == "to" and not modifiers and morph.is_base_verb(noun.norm):
            return True
        after = doc.next(noun)
        if noun.norm in ("year", "week", "month") and after is not None and after.norm.isdigit():
            return True  # "in year 2010" is rare; "for week 3" is a label
    return trigger.norm in ("'s", "it's", "that's", "there's", "what's") and noun.norm == "time"


def _superlatives(doc: Doc) -> list[Hit]:
    hits = []
    for token in doc.tokens:
        norm = token.norm
        is_super = norm in ("best", "worst") or (
            norm.endswith("est")
            and morph.is_adjective(norm)
            and norm not in morph.lemmas(norm).get("ADJ", ())
        )
        if not is_super:
            continue
        before = doc.prev(token)
        if before is None or is_determiner(before) or before.norm in ("at", "the", "very"):
            continue
        if token.comma_before:
            continue
        noun = doc.next(token)
        if noun is not None and noun.norm in lx.COUNT_NOUNS | {"thing", "part", "way", "time"}:
            hits.append(
                Hit(
                    before.index,
                    noun.index,
                    key=f"{norm} {noun.norm}",
                    correction=f"{before.text} the {token.text} {noun.text}",
                )
            )
    return hits


def _fixed_article_phrases(doc: Doc) -> list[Hit]:
    hits = []
    for token in doc.tokens:
        before = doc.prev(token)
        after = doc.next(token)
        norm = token.norm
        if norm == "same" and not (is_determiner(before) or (before and before.norm == "very")):
            if before is not None and after is not None:
                hits.append(Hit(before.index, token.index, "same", f"{before.text} the same"))
        elif norm == "lot" and after is not None and after.norm == "of":
            if before is None or before.norm not in (
                "a",
                "the",
                "whole",
                "parking",
                "this",
                "that",
            ):
                start = before.index if before is not None else token.index
                hits.append(Hit(start, after.index, "lot of", "a lot of"))
        elif norm == "half" and after is not None and after.norm == "hour":
            hits.append(Hit(token.index, after.index, "half hour", "half an hour"))
        elif (
            norm == "in"
            and after is not None
            and after.norm in ("past", "morning", "evening", "afternoon")
        ):
            following = doc.next(after)
            if following is None or following.norm not in lx.COUNT_NOUNS:
                hits.append(
                    Hit(token.index, after.index, f"in {after.norm}", f"in the {after.text}")
                )
        elif norm == "such" and after is not None and not is_determiner(after):
            modifiers = modifier_chain(doc, after.index)
            noun = doc.next(after, modifiers) if modifiers else after
            if noun is not None and noun.norm in lx.COUNT_NOUNS:
                hits.append(
                    Hit(
                        token.index,
                        noun.index,
                        "such",
                        f"such a {_phrase(doc, after.index, noun.index)}",
                    )
                )
    return hits


# --- grammar.subject_verb_agreement -----------------------------------------------------------

_OBJECT_TAKING = frozenset(
    {
        "make",
        "makes",
        "made",
        "making",
        "let",
        "lets",
        "help",
        "helps",
        "helped",
        "see",
        "saw",
        "watch",
        "watched",
        "hear",
        "heard",
        "have",
        "has",
        "had",
        "feel",
        "felt",
        "get",
        "got",
        "find",
        "found",
        "keep",
        "kept",
        "leave",
        "left",
        "want",
        "wanted",
        "like",
        "liked",
        "love",
        "loved",
        "need",
        "needed",
        "take",
        "took",
        "put",
        "bring",
        "brought",
    }
)
_LIKE_OBJECTS = frozenset(
    lx.OBJECT_PRONOUNS | lx.DETERMINERS | {"to", "it", "this", "that", "them", "him", "her"}
)
_SUBJUNCTIVE_CUES = frozenset({"if", "wish", "though", "suppose", "imagine"})
_WAS_WERE = {
    "is": "are",
    "was": "were",
    "has": "have",
    "does": "do",
    "doesn't": "don't",
    "hasn't": "haven't",
    "isn't": "aren't",
    "wasn't": "weren't",
}
_SINGULAR_VERBS = frozenset(_WAS_WERE)


def _verb_after(doc: Doc, subject: Token) -> Token | None:
    verb = skip_adverbs(doc, subject)
    if verb is None:
        return None
    return verb


def _third_person_error(doc: Doc, subject: Token, verb: Token) -> str | None:
    """The corrected form when a he/she/it-type subject takes a plural verb."""
    norm = verb.norm
    if norm in ("don't", "haven't"):
        return "doesn't" if norm == "don't" else "hasn't"
    if norm == "have":
        return "has"
    if norm in ("are", "were", "aren't", "weren't"):
        window = {t.norm for t in doc.tokens[max(0, subject.index - 4) : subject.index]}
        if norm.startswith("were") and window & _SUBJUNCTIVE_CUES:
            return None
        return {"are": "is", "were": "was", "aren't": "isn't", "weren't": "wasn't"}[norm]
    if norm == "like":
        after = doc.next(verb)
        if after is None or verb.comma_after:
            return None
        if after.norm not in _LIKE_OBJECTS and not after.norm.endswith("ing"):
            return None
        return "likes"
    if not is_lexical_verb_form(norm) or morph.past_equals_base(norm):
        return None
    if morph.is_simple_past(norm):
        return None  # "my friend found" is the past of "find"
    after = doc.next(verb)
    if after is not None and after.norm == "of" and norm in ("sort", "kind"):
        return None  # "it sort of works" is a hedge
    return morph.third_person_of(norm)


def subject_verb_agreement(doc: Doc) -> Detection | None:
    hits: list[Hit] = []
    for subject in doc.tokens:
        norm = subject.norm
        before = doc.prev(subject)
        if before is not None and (before.norm in lx.AUXILIARIES or before.norm in morph.MODALS):
            continue
        verb = _verb_after(doc, subject)
        if verb is None:
            continue
        fix: str | None = None
        if norm in lx.THIRD_SINGULAR_PRONOUNS:
            if norm == "it" and not subject_position(doc, subject):
                continue
            if before is not None and before.norm in _OBJECT_TAKING:
                continue
            fix = _third_person_error(doc, subject, verb)
        elif norm in lx.NON_THIRD_PRONOUNS:
            if norm == "you" and not subject_position(doc, subject):
                continue
            fix = _plural_subject_error(subject, verb)
        elif norm in lx.PLURAL_SUBJECT_NOUNS:
            if _after_preposition(doc, subject) or (
                before is not None and before.norm in ("a", "one")
            ):
                continue
            fix = _plural_subject_error(subject, verb)
        elif norm in lx.INDEFINITE_SINGULAR_PRONOUNS:
            if not subject_position(doc, subject):
                continue
            fix = _third_person_error(doc, subject, verb)
        elif morph.is_plural_noun(norm) and is_determiner(before) and before is not None:
            earlier = doc.prev(before)
            if earlier is not None and earlier.norm in ("and", "or", "one", "each"):
                continue
            if _after_preposition(doc, subject):
                continue
            if before.norm in ("a", "an", "this", "that", "every", "each", "one", "'s"):
                continue
            if verb.norm in _SINGULAR_VERBS:
                fix = _WAS_WERE[verb.norm]
        elif norm in lx.PERSON_NOUNS and before is not None:
            if before.norm not in lx.POSSESSIVES | {"the", "this", "that"}:
                continue
            if not subject_position(doc, before):
                continue
            fix = _third_person_error(doc, subject, verb)
        if fix:
            hits.append(
                Hit(
                    subject.index,
                    verb.index,
                    key=f"{norm} {verb.norm}",
                    correction=f"{_said(doc, subject.index, verb.index - 1)} {fix}",
                )
            )
    hits += _there_is_plural(doc)
    return _detection("grammar.subject_verb_agreement", hits)


def _after_preposition(doc: Doc, noun: Token) -> bool:
    """Is the noun inside a prepositional phrase ('among the volunteers', 'for three people')?"""
    for back in range(1, 4):
        i = noun.index - back
        if i < 0:
            return False
        token = doc.tokens[i]
        if token.sentence != noun.sentence or token.comma_after:
            return False
        if token.norm in lx.PREPOSITIONS:
            return True
        if not (is_determiner(token) or morph.is_adjective(token.norm)):
            return False
    return False


def _plural_subject_error(subject: Token, verb: Token) -> str | None:
    norm = verb.norm
    if subject.norm == "i":
        if norm in ("is", "are"):
            return "am"
        if norm in ("was", "wasn't"):
            return None
    if norm in _WAS_WERE:
        return _WAS_WERE[norm]
    if morph.is_third_person(norm) and not morph.is_plural_noun(norm):
        return morph.base_of(norm)
    return None


def _there_is_plural(doc: Doc) -> list[Hit]:
    hits = []
    for token in doc.tokens:
        if token.norm not in ("there", "there's"):
            continue
        verb = token if token.norm == "there's" else doc.next(token)
        if verb is None or verb.norm not in ("is", "was", "there's"):
            continue
        quantity = doc.next(verb)
        if quantity is None:
            continue
        plural_next = quantity.norm in ("many", "several", "lots") or (
            quantity.norm in lx.NUMBER_WORDS and quantity.norm != "one"
        )
        if plural_next:
            fixed = "there were" if verb.norm == "was" else "there are"
            hits.append(
                Hit(
                    token.index,
                    quantity.index,
                    f"there {verb.norm} {quantity.norm}",
                    f"{fixed} {quantity.text}",
                )
            )
    return hits


# --- grammar.past_tense -----------------------------------------------------------------------

_AGO = re.compile(r"\bago\b")
_LAST = frozenset({"last"})
_PAST_PHRASES: tuple[tuple[str, ...], ...] = (
    ("yesterday",),
    ("the", "other", "day"),
    ("back", "then"),
    ("at", "that", "time"),
    ("that", "day"),
    ("that", "night"),
    ("that", "morning"),
    ("that", "evening"),
    ("the", "next", "day"),
    ("the", "next", "morning"),
    ("the", "day", "before"),
    ("as", "a", "child"),
    ("as", "a", "kid"),
    ("in", "the", "past"),
    ("once", "upon"),
    ("the", "following", "day"),
    ("when", "i", "was"),
    ("when", "we", "were"),
    ("when", "he", "was"),
    ("when", "she", "was"),
    ("when", "they", "were"),
)
_PRESENT_PHRASES: tuple[tuple[str, ...], ...] = (
    ("these", "days"),
    ("since", "then"),
    ("looking", "back"),
    ("at", "the", "moment"),
    ("right", "now"),
    ("at", "present"),
    ("in", "general"),
    ("every", "time"),
    ("next", "week"),
    ("next", "month"),
    ("next", "year"),
    ("next", "time"),
    ("next", "summer"),
    ("next", "weekend"),
    ("going", "to"),
    ("this", "year"),
    ("this", "week"),
    ("this", "month"),
    ("this", "semester"),
    ("this", "term"),
    ("this", "season"),
)
# A present "I think / I guess" frames the talk in the present, not in a past story.
_PRESENT_FRAMES = frozenset({"think", "guess", "believe", "suppose", "feel", "mean", "hope"})
_ROUTINE = frozenset({"every", "always", "usually", "often", "sometimes", "normally"})
_HABITUAL = _ROUTINE | {"twice", "once", "times"}
_STATIVE = frozenset(
    {
        "be",
        "have",
        "live",
        "work",
        "study",
        "own",
        "belong",
        "contain",
        "seem",
        "look",
        "sound",
        "stay",
        "teach",
        "cost",
        "weigh",
        "exist",
        "matter",
        "depend",
        "include",
    }
)
_PERFECT_AUX = frozenset(
    {
        "have",
        "has",
        "had",
        "'ve",
        "'s",
        "been",
        "be",
        "being",
        "is",
        "are",
        "was",
        "were",
        "am",
        "get",
        "got",
        "i've",
        "we've",
        "they've",
        "you've",
    }
)
_REPORTING = frozenset(
    {
        "realise",
        "realize",
        "say",
        "tell",
        "explain",
        "learn",
        "discover",
        "find",
        "notice",
        "hear",
        "read",
        "think",
        "know",
        "believe",
        "feel",
        "see",
        "understand",
        "decide",
        "agree",
        "answer",
        "reply",
        "write",
        "show",
        "admit",
        "mean",
        "guess",
    }
)
_SUBJECT_BE = {
    "i'm": "I was",
    "he's": "he was",
    "she's": "she was",
    "we're": "we were",
    "they're": "they were",
    "you're": "you were",
}


def _has_phrase(doc: Doc, sentence: Sentence, phrases: tuple[tuple[str, ...], ...]) -> list[int]:
    """Token indices where any of the phrases starts in the sentence."""
    found = []
    for token in sentence.tokens:
        for phrase in phrases:
            if doc.norms(token.index, len(phrase)) == phrase:
                found.append(token.index)
    return found


def _past_markers(doc: Doc, sentence: Sentence) -> list[int]:
    found = _has_phrase(doc, sentence, _PAST_PHRASES)
    for token in sentence.tokens:
        after = doc.next(token)
        if token.norm in _LAST and after is not None and after.norm in lx.PAST_MARKER_UNITS:
            before = doc.prev(token)
            if before is None or before.norm not in ("the", "this", "my", "our", "for"):
                found.append(token.index)
        if _AGO.fullmatch(token.norm):
            found.append(token.index)
    return sorted(found)


_PAST_NEGATIVES = frozenset({"didn't", "wasn't", "weren't", "couldn't", "hadn't"})
_PAST_SUBJECT_LINKS = frozenset(
    lx.SUBJECT_PRONOUNS
    | {
        "and",
        "then",
        "but",
        "so",
        "also",
        "finally",
        "first",
        "later",
        "who",
        "which",
        "that",
        "just",
        "suddenly",
        "eventually",
        "never",
        "always",
        "often",
        "once",
        "soon",
        "immediately",
        "actually",
    }
)


_PARTICIPLE_GAP = frozenset(
    {
        "a",
        "bit",
        "little",
        "not",
        "quite",
        "rather",
        "more",
        "less",
        "slightly",
        "somewhat",
        "fairly",
        "too",
        "all",
    }
)


def is_finite_past(doc: Doc, token: Token) -> bool:
    """A simple-past verb with a subject, not a participle ('a retired teacher', 'was packed')."""
    norm = token.norm
    if norm in _PAST_NEGATIVES:
        return True
    if norm in morph.MODALS or not morph.is_simple_past(norm):
        return False
    before = doc.prev(token)
    if norm in ("was", "were", "did"):
        return True
    if norm == "had":
        after = doc.next(token)
        return after is None or after.norm != "better"
    # A participle after be/have, possibly with adverbs between: "was packed",
    # "are sometimes a bit annoyed", "has finally changed".
    back = token.index - 1
    while back >= 0 and token.index - back <= 5:
        word = doc.tokens[back]
        if word.sentence != token.sentence:
            break
        if word.norm in _PERFECT_AUX or word.norm in lx.COPULA_CONTRACTIONS:
            return False
        gap_word = (
            word.norm in _PARTICIPLE_GAP
            or word.norm in lx.FREQUENCY_ADVERBS
            or word.norm in lx.INTENSIFIERS
        )
        if not gap_word:
            break
        back -= 1
    if before is None:
        return False
    if is_determiner(before) or before.norm in lx.PREPOSITIONS:
        return False
    lemma = morph.verb_lemma(norm)
    participle = morph.inflect(lemma, "VBN") if lemma else None
    if participle != norm:
        return True  # went, took: unambiguous past
    if before.norm in _PAST_SUBJECT_LINKS:
        return True
    # A noun or a name right before: "my friend decided", "Marta booked".
    return (before.capitalised and before.index > 0) or (
        morph.is_noun(before.norm)
        and not morph.is_adjective(before.norm)
        and before.norm not in lx.STOPWORDS
    )


_EMBEDDING = frozenset(
    {"that", "which", "who", "whom", "whose", "what", "than", "if", "whether", "how", "why"}
)


def _simple_past_positions(doc: Doc, sentence: Sentence) -> list[int]:
    """Finite past verbs of main or time clauses; a past inside a relative or 'that' clause
    ('the ones that were sold', 'feeling that it mattered') sets no time frame."""
    found = []
    for token in sentence.tokens:
        if not is_finite_past(doc, token):
            continue
        start, _ = _clause_bounds(doc, token)
        opener = doc.tokens[start - 1] if start > sentence.start_index else None
        inside = doc.tokens[start : token.index]
        if any(t.norm in _EMBEDDING for t in inside) or (
            opener is not None and opener.norm in _EMBEDDING
        ):
            continue
        subject = doc.prev(token)
        if (
            subject is not None
            and subject.norm in lx.SUBJECT_PRONOUNS
            and not _clause_initial(doc, subject)
        ):
            continue  # "the best thing I found": a relative clause without "that"
        found.append(token.index)
    return found


def _present_markers(doc: Doc, sentence: Sentence) -> list[int]:
    found = _has_phrase(doc, sentence, _PRESENT_PHRASES)
    found += [t.index for t in sentence.tokens if t.norm in lx.PRESENT_MARKERS]
    return sorted(found)


_CLAUSE_LINKS = frozenset({"and", "but", "so", "because", "while", "whereas", "although", "when"})


def _clause_bounds(doc: Doc, token: Token) -> tuple[int, int]:
    """The clause around a token: up to commas and coordinating or subordinating links."""
    sentence = doc.sentences[token.sentence]
    start = token.index
    while start > sentence.tokens[0].index and not doc.tokens[start].comma_before:
        if doc.tokens[start - 1].norm in _CLAUSE_LINKS:
            break
        start -= 1
    end = token.index
    while end < sentence.tokens[-1].index and not doc.tokens[end].comma_after:
        if doc.tokens[end + 1].norm in _CLAUSE_LINKS:
            break
        end += 1
    return start, end


def _subject_here(doc: Doc, token: Token) -> bool:
    """Is this token the head of a clause subject (pronoun, 'my friend', 'the band', a name)?"""
    norm = token.norm
    before = doc.prev(token)
    if norm in lx.SUBJECT_PRONOUNS:
        return True
    if norm in lx.INDEFINITE_SINGULAR_PRONOUNS:
        return subject_position(doc, token)
    if token.capitalised and before is not None and not token.ends_sentence_before:
        return (
            not morph.is_known(norm)
            and before.norm not in lx.PREPOSITIONS
            and subject_position(doc, token)
        )
    if not morph.is_noun(norm) or norm in lx.STOPWORDS:
        return False
    # det (+ up to two modifiers) + noun at the start of a clause
    start = token.index - 1
    steps = 0
    while start >= 0 and steps < 3:
        candidate = doc.tokens[start]
        if candidate.sentence != token.sentence:
            return False
        if candidate.norm in lx.POSSESSIVES or candidate.norm in ("the", "this", "that"):
            return _clause_initial(doc, candidate)
        if steps < 2 and start != token.index and morph.is_adjective(candidate.norm):
            start -= 1
            steps += 1
            continue
        return False
    return False


_TIME_WORDS = lx.PAST_MARKER_UNITS | {
    "day",
    "morning",
    "evening",
    "afternoon",
    "ago",
    "then",
    "yesterday",
    "today",
    "tonight",
    "now",
    "later",
    "lunchtime",
    "dinner",
    "lunch",
    "breakfast",
    "concert",
    "tour",
    "match",
    "class",
    "work",
    "school",
    "trip",
    "party",
    "meeting",
    "game",
    "show",
    "film",
    "movie",
}


def _clause_initial(doc: Doc, subject: Token) -> bool:
    """The word opens its clause, possibly after a fronted phrase ('After the tour we',
    'At lunchtime my grandmother'), but not inside a relative clause ('the thing I found')."""
    if subject_position(doc, subject):
        return True
    start, _ = _clause_bounds(doc, subject)
    fronted = doc.tokens[start : subject.index]
    if not fronted:
        return True
    first = fronted[0]
    # "After the tour we ...", "Last Saturday me and my friends we ...".
    fronted_phrase = (
        first.norm in lx.PREPOSITIONS
        or _is_time_word(first)
        or any(t.norm in ("and", "last", "yesterday", "ago") for t in fronted)
    )
    if not fronted_phrase:
        return False
    return not any(
        t.norm in lx.SUBJECT_PRONOUNS
        or t.norm in lx.AUXILIARIES
        or morph.is_simple_past(t.norm)
        or morph.is_third_person(t.norm)
        for t in fronted
    )


def _is_time_word(token: Token) -> bool:
    return token.norm in _TIME_WORDS or morph.singular_of(token.norm) in _TIME_WORDS


def _present_candidates(doc: Doc, sentence: Sentence) -> list[tuple[Token, Token, str]]:
    """(subject, verb, corrected past form) for present verbs after a clear subject."""
    found: list[tuple[Token, Token, str]] = []
    for subject in sentence.tokens:
        norm = subject.norm
        before = doc.prev(subject)
        if before is not None:
            if before.norm in lx.AUXILIARIES or before.norm in lx.COMPLEMENTISERS:
                continue
            if before.norm == "to":
                continue
            if norm in lx.SUBJECT_PRONOUNS and morph.verb_lemma(before.norm) in _REPORTING:
                continue
            earlier = doc.prev(before)
            if (
                before.norm in ("the", "my", "our", "his", "her", "their", "this", "that")
                and earlier is not None
                and morph.verb_lemma(earlier.norm) in _REPORTING
            ):
                continue
        if norm in _SUBJECT_BE:
            past_be = _SUBJECT_BE[norm]
            if subject.text[:1].isupper():
                past_be = past_be[:1].upper() + past_be[1:]
            found.append((subject, subject, past_be))
            continue
        if norm == "you" or not _subject_here(doc, subject):
            continue  # generic "you" states general truths
        if norm in lx.SUBJECT_PRONOUNS and not _clause_initial(doc, subject):
            continue  # "the ones we buy", "the coordination it demands"
        verb = skip_adverbs(doc, subject)
        if verb is None:
            continue
        vnorm = verb.norm
        after = doc.next(verb)
        if (
            norm not in lx.SUBJECT_PRONOUNS
            and norm not in lx.PERSON_NOUNS
            and (
                morph.is_plural_noun(vnorm)
                or (morph.is_noun(vnorm) and after is not None and morph.is_simple_past(after.norm))
            )
        ):
            continue  # "awareness campaigns", "the turning point came": nouns, not verbs
        past: str | None
        if vnorm in ("am", "is", "are"):
            if norm in ("it", "there", "that", "this"):
                continue
            past = morph.past_of(vnorm)
        elif vnorm in ("don't", "doesn't"):
            if after is None or morph.verb_lemma(after.norm) in lx.DISCOURSE_VERBS:
                continue
            past = "didn't"
        elif vnorm in ("have", "has"):
            if after is not None and (
                morph.is_simple_past(after.norm) or after.norm in ("been", "got", "gone")
            ):
                continue  # present perfect is a different choice, not a tense slip
            past = "had"
        elif morph.is_third_person(vnorm) or is_lexical_verb_form(vnorm):
            lemma = morph.verb_lemma(vnorm)
            if lemma is None or lemma in lx.DISCOURSE_VERBS or morph.past_equals_base(vnorm):
                continue
            if morph.is_simple_past(vnorm):
                continue  # "found" is also the past of "find"
            if morph.is_third_person(vnorm) and norm in lx.NON_THIRD_PRONOUNS:
                continue
            if (
                norm not in lx.SUBJECT_PRONOUNS
                and after is not None
                and (after.norm in lx.BE_FORMS or after.norm in lx.AUXILIARIES)
            ):
                continue  # "the bus stop was": a compound noun, not a verb
            past = morph.past_of(vnorm)
        else:
            continue
        if past:
            said = _said(doc, subject.index, verb.index - 1)
            found.append((subject, verb, f"{said} {past}"))
    return found


NARRATIVE_MIN_PAST = 6
_SEQUENCERS = frozenset(
    {
        "after",
        "later",
        "then",
        "afterwards",
        "eventually",
        "finally",
        "suddenly",
        "soon",
        "next",
        "within",
    }
)
_CAUSAL = frozenset({"because", "since", "as", "where", "which", "who", "while", "whereas"})
_NARRATORS = frozenset({"i", "we", "he", "she", "they"})


def _state_anchored(
    doc: Doc, subject: Token, clause_start: int, markers: list[int], pasts: list[int]
) -> bool:
    """A state ('I am', 'we have') is past only with an anchor earlier in its own clause,
    or a time marker before it with no clause link in between ('Last summer, I am ...')."""
    if any(clause_start <= a < subject.index for a in markers + pasts):
        return True
    for marker in markers:
        between = doc.tokens[marker : subject.index]
        if marker < subject.index and not any(t.norm in _CLAUSE_LINKS for t in between):
            return True
    return False


@dataclass
class _SentenceTense:
    hits: list[Hit]  # present verbs anchored to a past time in the sentence itself
    waiting: list[Hit]  # present verbs that are wrong if the story around is in the past
    present_evidence: bool  # the sentence shows it is about now
    routine: bool
    habitual: bool
    opener: str
    sets_past: bool  # the sentence itself is in the past
    strong: bool  # ... clearly (more past anchors than present verbs)
    past_verbs: int
    present_verbs: int


def _sentence_tense(doc: Doc, sentence: Sentence) -> _SentenceTense:
    markers = _past_markers(doc, sentence)
    pasts = _simple_past_positions(doc, sentence)
    presents = _present_markers(doc, sentence)
    habitual = any(t.norm in _HABITUAL for t in sentence.tokens)
    framed = _present_frame(doc, sentence)
    candidates = _present_candidates(doc, sentence)
    if not doc.punctuated:
        # Without full stops a "sentence" can be the whole transcript: only nearby anchors count.
        return _sentence_tense_unpunctuated(doc, sentence, markers, pasts, presents, candidates)
    # Present verbs we leave alone (states, things as subjects) show the sentence is
    # about now, so a past frame from around it does not apply.
    present_evidence = framed
    hits: list[Hit] = []
    waiting: list[Hit] = []
    for subject, verb, fix in candidates:
        hit = Hit(subject.index, verb.index, f"{subject.norm} {verb.norm}", fix)
        clause = _clause_bounds(doc, verb)
        if any(p < verb.index or clause[0] <= p <= clause[1] for p in presents):
            present_evidence = True
            continue
        lemma = morph.verb_lemma(verb.norm) or "be"
        stative = lemma in _STATIVE or verb is subject or verb.norm in ("don't", "doesn't")
        if lemma == "have" and _event_object(doc, verb):
            stative = False  # "we have a long brunch" is an event, not possession
        before = _prev_word(doc, subject)
        if stative and before is not None and before.norm in _CAUSAL:
            present_evidence = True  # "because I'm not a strong swimmer": a general truth
            continue
        if stative:
            if _state_anchored(doc, subject, clause[0], markers, pasts):
                hits.append(hit)
            else:
                present_evidence = True
            continue
        if markers or pasts:
            hits.append(hit)
            continue
        narrator = (
            subject.norm in _NARRATORS
            or subject.norm in lx.PERSON_NOUNS
            or subject.norm in lx.INDEFINITE_SINGULAR_PRONOUNS
            or (subject.capitalised and subject.norm not in lx.SUBJECT_PRONOUNS)
        )
        if narrator:
            waiting.append(hit)
        elif subject.norm != "it":  # "it started to rain" is as common in stories as now
            present_evidence = True
    return _SentenceTense(
        hits=hits,
        waiting=waiting,
        present_evidence=present_evidence,
        routine=any(t.norm in _ROUTINE for t in sentence.tokens),
        habitual=habitual,
        opener=_content_start(sentence),
        sets_past=bool(markers or pasts) and not presents and not framed,
        strong=not habitual and not present_evidence and (bool(markers) or len(pasts) >= 2),
        past_verbs=len(pasts),
        present_verbs=len(candidates),
    )


UNPUNCTUATED_ANCHOR_WORDS = 12


def _sentence_tense_unpunctuated(
    doc: Doc,
    sentence: Sentence,
    markers: list[int],
    pasts: list[int],
    presents: list[int],
    candidates: list[tuple[Token, Token, str]],
) -> _SentenceTense:
    hits = []
    for subject, verb, fix in candidates:
        near = [a for a in markers + pasts if abs(a - verb.index) <= UNPUNCTUATED_ANCHOR_WORDS]
        blocked = [p for p in presents if abs(p - verb.index) <= UNPUNCTUATED_ANCHOR_WORDS]
        lemma = morph.verb_lemma(verb.norm) or "be"
        stative = lemma in _STATIVE or verb is subject
        if near and not blocked and not stative:
            hits.append(Hit(subject.index, verb.index, f"{subject.norm} {verb.norm}", fix))
    return _SentenceTense(
        hits=hits,
        waiting=[],
        present_evidence=True,
        routine=False,
        habitual=False,
        opener="",
        sets_past=False,
        strong=False,
        past_verbs=len(pasts),
        present_verbs=len(candidates),
    )


def past_tense(doc: Doc) -> Detection | None:
    tenses = [_sentence_tense(doc, sentence) for sentence in doc.sentences]
    # A transcript told mostly in the past is a story: its present verbs are slips even in
    # sentences without their own time marker.
    past_total = sum(t.past_verbs for t in tenses)
    present_total = sum(t.present_verbs for t in tenses)
    narrative = past_total >= NARRATIVE_MIN_PAST and past_total >= 2 * present_total
    hits: list[Hit] = []
    carried = "none"  # how strongly the story so far has set a past time frame
    for sentence, tense in zip(doc.sentences, tenses, strict=True):
        hits += tense.hits
        # "Last Saturday we went ... Then we walk ..." unless this sentence is about the present.
        story_goes_on = (
            narrative
            or (carried == "strong" and not tense.habitual)
            or (carried != "none" and tense.opener in _SEQUENCERS)
        )
        continued = False
        if tense.waiting and not tense.present_evidence and not tense.routine and story_goes_on:
            hits += tense.waiting
            continued = True
        hits += _coordinated_presents(doc, sentence, hits)
        if tense.sets_past:
            carried = "strong" if tense.strong or carried == "strong" else "weak"
        elif not continued and (tense.present_evidence or tense.waiting or tense.routine):
            carried = "none"  # the talk has moved to the present
    hits += _overregularised(doc)
    hits += _did_plus_past(doc)
    return _detection("grammar.past_tense", hits)


_EVENT_NOUNS = frozenset(
    {
        "breakfast",
        "lunch",
        "dinner",
        "brunch",
        "party",
        "meeting",
        "shower",
        "bath",
        "drink",
        "coffee",
        "chat",
        "talk",
        "conversation",
        "argument",
        "fight",
        "look",
        "walk",
        "swim",
        "rest",
        "nap",
        "break",
        "fun",
        "trip",
        "holiday",
        "picnic",
        "barbecue",
        "meal",
        "snack",
        "lesson",
        "class",
        "exam",
        "interview",
        "accident",
        "game",
        "match",
        "dance",
        "celebration",
        "discussion",
        "chance",
        "surprise",
        "day",
        "evening",
        "night",
        "weekend",
        "time",
    }
)


def _event_object(doc: Doc, verb: Token) -> bool:
    """Is 'have' followed by an event ('have a long brunch') rather than a possession?"""
    for offset in range(1, 5):
        after = doc.next(verb, offset)
        if after is None:
            return False
        if after.norm in _EVENT_NOUNS:
            return True
        if not (is_determiner(after) or morph.is_adjective(after.norm)):
            return False
    return False


def _coordinated_presents(doc: Doc, sentence: Sentence, hits: list[Hit]) -> list[Hit]:
    """'I jump for the ball and land badly': a bare verb coordinated with a flagged one."""
    flagged = [h.last for h in hits if doc.tokens[h.last].sentence == sentence.index]
    extra = []
    for token in sentence.tokens:
        if token.norm not in ("and", "then") or not flagged:
            continue
        verb = doc.next(token)
        if verb is None or not any(0 < token.index - f <= 10 for f in flagged):
            continue
        if is_lexical_verb_form(verb.norm) and not morph.is_simple_past(verb.norm):
            lemma = morph.verb_lemma(verb.norm)
            if lemma and lemma not in lx.DISCOURSE_VERBS and not morph.past_equals_base(verb.norm):
                past = morph.past_of(verb.norm)
                if past and verb.index not in flagged:
                    extra.append(
                        Hit(token.index, verb.index, f"and {verb.norm}", f"{token.text} {past}")
                    )
    return extra


def _present_frame(doc: Doc, sentence: Sentence) -> bool:
    """'I think ...', 'I guess ...' in the present tense."""
    for token in sentence.tokens:
        after = doc.next(token)
        if token.norm == "i" and after is not None and after.norm in _PRESENT_FRAMES:
            return True
    return False


def _content_start(sentence: Sentence) -> str:
    for token in sentence.tokens:
        if token.norm not in ("um", "uh", "so", "and", "but", "well", "er"):
            return token.norm
    return ""


def _overregularised(doc: Doc) -> list[Hit]:
    hits = []
    for token in doc.tokens:
        past = morph.overregularised_past(token.norm)
        if past:
            hits.append(Hit(token.index, token.index, token.norm, past))
    return hits


def _did_plus_past(doc: Doc) -> list[Hit]:
    hits = []
    for token in doc.tokens:
        if token.norm not in ("did", "didn't"):
            continue
        if token.comma_after:
            continue
        verb = doc.next(token)
        if verb is not None and verb.norm in lx.SUBJECT_PRONOUNS | {"not"}:
            verb = doc.next(verb)
        if verb is None or verb.norm in ("was", "were", "had", "did"):
            continue
        if morph.is_simple_past(verb.norm) and not morph.past_equals_base(verb.norm):
            lemma = morph.verb_lemma(verb.norm)
            if lemma and lemma != verb.norm:
                hits.append(
                    Hit(
                        token.index,
                        verb.index,
                        f"{token.norm} {verb.norm}",
                        f"{_said(doc, token.index, verb.index - 1)} {lemma}",
                    )
                )
    return hits


# --- grammar.preposition ----------------------------------------------------------------------

# (head word lemma, part of speech, wrong prepositions, what to say instead)
_COLLOCATIONS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("depend", "VERB", ("of", "from"), "depend on"),
    ("discuss", "VERB", ("about",), "discuss (no preposition)"),
    ("marry", "VERB", ("with",), "marry someone / be married to"),
    ("arrive", "VERB", ("to",), "arrive at / arrive in"),
    ("insist", "VERB", ("to", "in"), "insist on"),
    ("participate", "VERB", ("to", "at"), "participate in"),
    ("succeed", "VERB", ("to",), "succeed in"),
    ("consist", "VERB", ("from", "with"), "consist of"),
    ("rely", "VERB", ("of", "in", "from"), "rely on"),
    ("emphasise", "VERB", ("on",), "emphasise (no preposition)"),
    ("emphasize", "VERB", ("on",), "emphasize (no preposition)"),
    ("mention", "VERB", ("about",), "mention (no preposition)"),
    ("enter", "VERB", ("to", "in"), "enter (no preposition)"),
    ("reach", "VERB", ("to",), "reach (no preposition)"),
    ("focus", "VERB", ("in", "at"), "focus on"),
    ("concentrate", "VERB", ("in", "at"), "concentrate on"),
    ("complain", "VERB", ("for",), "complain about"),
    ("interested", "ADJ", ("on", "about", "for", "at", "with"), "interested in"),
    ("afraid", "ADJ", ("from", "about"), "afraid of"),
    ("scared", "ADJ", ("from",), "scared of"),
    ("frightened", "ADJ", ("from",), "frightened of"),
    ("proud", "ADJ", ("for", "on"), "proud of"),
    ("famous", "ADJ", ("of", "with"), "famous for"),
    ("full", "ADJ", ("with",), "full of"),
    ("similar", "ADJ", ("with",), "similar to"),
    ("different", "ADJ", ("of",), "different from"),
    ("capable", "ADJ", ("to",), "capable of"),
    ("responsible", "ADJ", ("of",), "responsible for"),
    ("keen", "ADJ", ("of", "in"), "keen on"),
    ("fond", "ADJ", ("on", "with"), "fond of"),
    ("aware", "ADJ", ("about", "on"), "aware of"),
    ("satisfied", "ADJ", ("of", "from"), "satisfied with"),
    ("based", "ADJ", ("of",), "based on"),
    ("according", "ADJ", ("with",), "according to"),
    ("addicted", "ADJ", ("on", "with"), "addicted to"),
    ("angry", "ADJ", ("on",), "angry with / angry about"),
    ("married", "ADJ", ("with",), "married to"),
    ("good", "ADJ", ("in",), "good at"),
    ("reason", "NOUN", ("of",), "the reason for"),
    ("congratulations", "NOUN", ("for",), "congratulations on"),
)
_FIXED: tuple[tuple[tuple[str, ...], str], ...] = (
    (("on", "my", "opinion"), "in my opinion"),
    (("in", "the", "other", "hand"), "on the other hand"),
    (("in", "the", "same", "time"), "at the same time"),
    (("in", "the", "weekend"), "at / on the weekend"),
    (("in", "the", "weekends"), "at / on weekends"),
    (("at", "the", "morning"), "in the morning"),
    (("at", "the", "afternoon"), "in the afternoon"),
    (("at", "the", "evening"), "in the evening"),
    (("in", "night"), "at night"),
    (("by", "foot"), "on foot"),
    (("in", "tv"), "on TV"),
    (("in", "the", "tv"), "on TV"),
    (("in", "the", "radio"), "on the radio"),
    (("in", "internet"), "on the internet"),
    (("in", "the", "internet"), "on the internet"),
    (("according", "me"), "in my view"),
    (("go", "to", "home"), "go home"),
    (("went", "to", "home"), "went home"),
    (("come", "to", "home"), "come home"),
    (("came", "to", "home"), "came home"),
    (("go", "to", "abroad"), "go abroad"),
    (("went", "to", "abroad"), "went abroad"),
    (("go", "to", "there"), "go there"),
    (("went", "to", "there"), "went there"),
    (("come", "to", "here"), "come here"),
    (("came", "to", "here"), "came here"),
    (("return", "back"), "return"),
)
_DAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
_PERIODS = frozenset(
    {"years", "months", "weeks", "days", "hours", "minutes", "year", "month", "week", "day", "hour"}
)
_PREP_OBJECT = frozenset(
    lx.OBJECT_PRONOUNS - {"it", "you"}
    | {"the", "my", "your", "his", "her", "our", "their", "some", "a"}
)
_WAIT_OK = frozenset(
    {
        "minute",
        "second",
        "moment",
        "bit",
        "while",
        "little",
        "year",
        "week",
        "day",
        "month",
        "lot",
        "long",
        "few",
        "couple",
        "hour",
    }
)


@lru_cache(maxsize=1)
def _collocation_index() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """Every inflected form of a head word -> (wrong prepositions, correction)."""
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for lemma, pos, wrong, right in _COLLOCATIONS:
        forms = {lemma}
        if pos == "VERB":
            for tag in ("VBZ", "VBD", "VBG", "VBN"):
                form = morph.inflect(lemma, tag)
                if form:
                    forms.add(form)
        for form in forms:
            index.setdefault(form, []).append((wrong, right))
    return index


def preposition(doc: Doc) -> Detection | None:
    hits: list[Hit] = []
    index = _collocation_index()
    for token in doc.tokens:
        after = doc.next(token)
        if after is None or token.comma_after:
            continue
        for wrong, right in index.get(token.norm, ()):
            if after.norm in wrong and not _collocation_exempt(doc, token, after):
                hits.append(Hit(token.index, after.index, f"{token.norm} {after.norm}", right))
        hits += _missing_preposition(doc, token, after)
        for phrase, right in _FIXED:
            if doc.norms(token.index, len(phrase)) == phrase:
                last = token.index + len(phrase) - 1
                if doc.tokens[last].sentence == token.sentence:
                    hits.append(Hit(token.index, last, " ".join(phrase), right))
        hits += _time_prepositions(doc, token, after)
    return _detection("grammar.preposition", hits)


def _collocation_exempt(doc: Doc, head: Token, prep: Token) -> bool:
    following = doc.next(prep)
    following2 = doc.next(prep, 2)
    if head.norm.startswith("marr") and following is not None:
        # "married with two children" is correct.
        kids = {"child", "children", "kids", "kid", "son", "sons", "daughter", "daughters", "baby"}
        if following.norm in kids or (following2 is not None and following2.norm in kids):
            return True
    if (
        head.norm == "good"
        and following is not None
        and following.norm
        not in ("maths", "math", "sports", "english", "languages", "football", "cooking", "school")
    ):
        return True
    if head.norm in ("different",) and following is not None and following.norm == "course":
        return True
    return head.norm == "full" and following is not None and following.norm in ("of",)


_LISTEN_OK_NEXT = lx.words(
    """
    to carefully closely up out again now more for and or but when while because if please
    very really attentively
    """
)
_LISTEN_OBJECTS = lx.words("music podcasts podcast radio songs audiobooks news")


def _missing_preposition(doc: Doc, token: Token, after: Token) -> list[Hit]:
    lemma = morph.verb_lemma(token.norm)
    if lemma == "listen" and after.norm not in _LISTEN_OK_NEXT:
        is_object = (
            after.norm in _PREP_OBJECT
            or after.norm in _LISTEN_OBJECTS
            or (morph.is_noun(after.norm) and not morph.is_adverb(after.norm))
        )
        if is_object:
            fix = f"{token.text} to {after.text}"
            return [Hit(token.index, after.index, "listen + object", fix)]
    if lemma == "explain" and after.norm in ("me", "him", "her", "us", "them"):
        return [Hit(token.index, after.index, "explain + person", f"{token.text} to {after.text}")]
    if lemma == "wait" and after.norm in _PREP_OBJECT and after.norm != "a":
        nxt = doc.next(after)
        if nxt is None or nxt.norm not in _WAIT_OK:
            return [
                Hit(token.index, after.index, "wait + object", f"{token.text} for {after.text}")
            ]
    return []


def _time_prepositions(doc: Doc, token: Token, after: Token) -> list[Hit]:
    norm = token.norm
    if norm in ("in", "at") and after.norm in _DAYS:
        return [Hit(token.index, after.index, f"{norm} + day", f"on {after.text}")]
    if norm in ("on", "at") and re.fullmatch(r"(19|20)\d\d", after.norm):
        return [Hit(token.index, after.index, f"{norm} + year", f"in {after.text}")]
    if norm in ("since", "during"):
        period = doc.next(after)
        is_number = (
            after.norm in lx.NUMBER_WORDS
            or after.norm.isdigit()
            or after.norm in ("a", "one", "many", "several", "few")
        )
        if is_number and period is not None and period.norm in _PERIODS:
            return [
                Hit(
                    token.index, period.index, f"{norm} + period", f"for {after.text} {period.text}"
                )
            ]
    return []


# --- grammar.plural_countable -----------------------------------------------------------------

_SINGULAR_QUANTIFIERS = frozenset({"every", "each", "a", "an", "one"})


def plural_countable(doc: Doc) -> Detection | None:
    hits: list[Hit] = []
    for token in doc.tokens:
        norm = token.norm
        before = doc.prev(token)
        if norm in lx.UNCOUNTABLE_PLURALS:
            if norm in lx.AMBIGUOUS_PLURALS and not (
                before is not None
                and (is_determiner(before) or before.norm in ("of", "lot", "lots"))
                and before.norm not in lx.SUBJECT_PRONOUNS
            ):
                continue
            hits.append(Hit(token.index, token.index, norm, lx.UNCOUNTABLE_PLURALS[norm]))
            continue
        after = doc.next(token)
        if after is None or token.comma_after:
            continue
        following = doc.next(after)
        compound = (
            following is not None
            and not after.comma_after
            and (
                following.norm in lx.COUNT_NOUNS
                or (
                    morph.is_noun(following.norm)
                    and not morph.is_adjective(following.norm)
                    and following.norm not in lx.STOPWORDS
                    and following.norm not in lx.PREPOSITIONS
                )
            )
        )
        if norm in ("a", "an") and after.norm in lx.UNCOUNTABLE_NOUNS - {"stuff", "weather"}:
            if compound:
                continue  # "a software firm", "a music festival"
            hits.append(
                Hit(
                    token.index,
                    after.index,
                    f"a {after.norm}",
                    f"some {after.text} / a piece of {after.text}",
                )
            )
        elif norm in lx.PLURAL_QUANTIFIERS or (norm.isdigit() and 1 < int(norm) < 1000):
            hits += _quantifier_singular(doc, token, after)
        elif norm == "much" and (morph.is_plural_noun(after.norm) or after.norm == "people"):
            hits.append(Hit(token.index, after.index, f"much {after.norm}", f"many {after.text}"))
        elif norm in ("every", "each") and morph.is_plural_noun(after.norm):
            if after.norm not in lx.INVARIANT_NOUNS and not after.norm.endswith("ss"):
                hits.append(
                    Hit(
                        token.index,
                        after.index,
                        f"{norm} + plural",
                        f"{token.text} {morph.singular_of(after.norm)}",
                    )
                )
        elif norm == "one" and after.norm == "of":
            hits += _one_of(doc, token)
        elif norm == "lot" and after.norm == "of":
            noun = doc.next(after)
            if noun is not None and noun.norm in lx.COUNT_NOUNS and not noun.comma_before:
                hits.append(
                    Hit(
                        token.index,
                        noun.index,
                        "a lot of + singular",
                        f"a lot of {morph.plural_of(noun.norm)}",
                    )
                )
    return _detection("grammar.plural_countable", hits)


def _is_plain_noun(token: Token) -> bool:
    """A noun that is not also an adjective, adverb or (in this form) a verb."""
    norm = token.norm
    if norm in lx.COUNT_NOUNS:
        return True
    if norm in lx.STOPWORDS or norm in lx.PREPOSITIONS or not morph.is_noun(norm):
        return False
    if morph.is_adjective(norm) or morph.is_adverb(norm):
        return False
    return morph.is_plural_noun(norm) or not (
        morph.is_base_verb(norm) or morph.is_third_person(norm)
    )


def _quantifier_singular(doc: Doc, quantifier: Token, after: Token) -> list[Hit]:
    before = doc.prev(quantifier)
    if before is not None and before.norm in ("a", "an", "the", "one", "of"):
        return []
    if quantifier.norm in ("these", "those") and after.norm in ("kind", "sort", "type"):
        return []
    modifiers = modifier_chain(doc, after.index)
    noun = doc.next(after, modifiers) if modifiers else after
    if noun is None or (modifiers and noun.comma_before):
        return []
    nnorm = noun.norm
    if nnorm in lx.INVARIANT_NOUNS or "-" in nnorm:
        return []
    following = doc.next(noun)
    if following is not None and following.norm in lx.MEASURE_COMPOUND_NEXT:
        return []
    if following is not None and not noun.comma_after and _is_plain_noun(following):
        # "three entity flags", "three apple tree": the last noun is the head.
        noun, nnorm = following, following.norm
        if nnorm in lx.INVARIANT_NOUNS:
            return []
        following = doc.next(noun)
    if quantifier.norm.isdigit():
        attached = quantifier.index > 0 and not any(c.isspace() for c in quantifier.gap_before)
        labelled = before is not None and (before.capitalised or before.norm == "version")
        if attached or labelled or noun.capitalised or int(quantifier.norm) >= 100:
            return []  # "jinja2 library", "version 2 API", "404 error": labels, not quantities
    if quantifier.norm == "both" and any(
        t.norm == "and" for t in doc.tokens[noun.index + 1 : noun.index + 4]
    ):
        return []  # "both wheel and source archive"
    countable_singular = nnorm in lx.COUNT_NOUNS or (
        morph.is_singular_noun(nnorm)
        and not morph.is_adjective(nnorm)
        and not morph.is_adverb(nnorm)
        and (not morph.is_base_verb(nnorm) or _noun_reading(doc, quantifier, noun))
    )
    if nnorm in lx.UNCOUNTABLE_NOUNS and quantifier.norm in ("many", "few", "several"):
        return [
            Hit(
                quantifier.index,
                noun.index,
                f"{quantifier.norm} {nnorm}",
                f"much {nnorm} / a lot of {nnorm}",
            )
        ]
    if countable_singular and nnorm not in lx.UNCOUNTABLE_NOUNS:
        return [
            Hit(
                quantifier.index,
                noun.index,
                f"{quantifier.norm} + singular",
                f"{_phrase(doc, quantifier.index, noun.index - 1)} {morph.plural_of(nnorm)}",
            )
        ]
    return []


def _noun_reading(doc: Doc, quantifier: Token, word: Token) -> bool:
    """'many review before buying' (noun) vs 'many believe that' (pronoun + verb)."""
    if quantifier.norm in lx.NUMBER_WORDS or quantifier.norm.isdigit():
        return True
    following = doc.next(word)
    if following is None or word.comma_after:
        return True
    return following.norm in (lx.PREPOSITIONS - {"to", "like", "than"}) | {"and", "or"}


def _one_of(doc: Doc, one: Token) -> list[Hit]:
    det = doc.next(one, 2)
    if det is None or det.norm not in lx.POSSESSIVES | {"the", "these", "those"}:
        return []
    after = doc.next(det)
    if after is None:
        return []
    modifiers = modifier_chain(doc, after.index)
    noun = doc.next(after, modifiers) if modifiers else after
    if noun is None or noun.norm not in lx.COUNT_NOUNS:
        return []
    following = doc.next(noun)
    if following is not None and (following.norm in lx.COUNT_NOUNS or following.norm == "'s"):
        return []
    return [
        Hit(
            one.index,
            noun.index,
            "one of + singular",
            f"{_phrase(doc, one.index, noun.index - 1)} {morph.plural_of(noun.norm)}",
        )
    ]
