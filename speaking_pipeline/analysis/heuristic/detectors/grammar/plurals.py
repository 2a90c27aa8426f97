"""grammar.plural_countable: number after quantifiers, and a/an before uncountable nouns."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from speaking_pipeline.analysis.heuristic import lexicons as lx
from speaking_pipeline.analysis.heuristic import morphology as morph
from speaking_pipeline.analysis.heuristic.detectors.grammar.candidates import (
    Candidate,
    _finish,
    _replace,
    _swap,
)
from speaking_pipeline.analysis.heuristic.detectors.grammar.countability import (
    _PLURAL_QUANTIFIERS,
    _PRONOUN_NOUNS,
    _count,
    _countable,
)
from speaking_pipeline.analysis.heuristic.detectors.grammar.syntax import (
    _EITHER_NUMBER,
    _children,
    _match_case,
)
from speaking_pipeline.analysis.heuristic.findings import Detection
from speaking_pipeline.analysis.heuristic.text import Doc

if TYPE_CHECKING:
    from spacy.tokens import Span
    from spacy.tokens import Token as P

_SINGULAR_ONLY_DETS = lx.words("every each another")
_SOME_ALL_MOST = lx.words("some all most")
_PIECE_OF = lx.words("advice information furniture equipment luggage baggage homework news")
# "a good knowledge of French", "a research project": not errors.
_A_UNCOUNTABLE_OK = lx.words("knowledge")


def _plural_candidates(doc: Doc, sent: Span) -> list[Candidate]:
    found: list[Candidate] = []
    for noun in sent:
        if noun.pos_ != "NOUN" or noun.dep_ == "compound":
            continue
        low, lemma = noun.lower_, noun.lemma_.lower()
        singular = lx.UNCOUNTABLE_PLURALS.get(low)
        if singular is not None and noun.tag_ == "NNS":
            found += _plural_of_a_plural_or_mass(noun, singular)
            continue
        if noun.tag_ == "NNS":
            found += _indefinite_plural(noun)
        uncountable = lemma in lx.UNCOUNTABLE_NOUNS or (
            morph.countability(lemma) == "mass" and lemma not in _MASS_WITH_A
        )
        if noun.tag_ == "NN" and lemma in lx.UNCOUNTABLE_NOUNS:
            found += _many_before_uncountable(noun)
        if noun.tag_ == "NN" and uncountable and lemma not in _A_UNCOUNTABLE_OK:
            article = next(
                (c for c in noun.children if c.dep_ == "det" and c.lower_ in ("a", "an")), None
            )
            # A phrase after the noun can make a sense countable ("a knowledge of Spanish");
            # not for the nouns listed as never counted ("a feedback from people").
            listed = lemma in lx.UNCOUNTABLE_NOUNS
            if article is not None and noun.doc[article.i + 1].lower_ in ("few", "little"):
                article = None  # "a little information" is right; "a few" is judged below
            if article is not None and (
                not _children(noun, "prep") or listed or lemma in _PIECE_OF
            ):
                if lemma in _PIECE_OF:
                    fix = "a piece of" if article.text.islower() else "A piece of"
                    found.append(_replace(article, noun, f"a(n) + {lemma}", article, fix, None))
                else:
                    found.append(
                        Candidate(article, noun, f"a(n) + {lemma}", note=f"{noun.text} (no a/an)")
                    )
            continue
        if noun.tag_ == "NN" and lemma in ("kind", "type", "sort"):
            found += _kinds_of(noun)
            continue
        if noun.tag_ == "NN":
            found += _singular_after_plural_quantifier(doc, noun) or _singular_after_of(noun)
        elif noun.tag_ == "NNS":
            found += _plural_after_singular_quantifier(noun)
    return found


# Mass nouns (in the lexicon) that take "a" before an adjective or in a common sense:
# "a good education" is "both" already; these are marked mass but say "a" naturally.
_MASS_WITH_A = lx.words(
    """
    lot few little bit deal number couple while shame pity mess hurry rush fuss living
    whole half majority minority variety range
    """
)
# Phrases that count what follows: "a lot of places", "one of the reasons", "a few jobs".
_COUNTING_NOUNS = lx.words("lot lots number couple plenty dozens hundreds thousands millions")
_COUNTING_DETS = lx.words("one each some many several most all both any none few")


def _kinds_of(noun: P) -> list[Candidate]:
    """ "many kind of sports", "different type of music": several kinds are counted. ("these
    kind of" is common speech and left alone.)"""
    nxt = noun.doc[noun.i + 1] if noun.i + 1 < len(noun.doc) else None
    if nxt is None or nxt.lower_ != "of":
        return []
    trigger = next(
        (
            c
            for c in noun.children
            if c.i < noun.i
            and (
                c.lower_ in ("many", "several", "various", "numerous", "different", "all", "both")
                or (c.dep_ == "nummod" and (_count(c) or 0) > 1)
            )
        ),
        None,
    )
    if trigger is None or any(
        c.lower_ in ("a", "an", "the", "this", "that") for c in noun.children
    ):
        return []
    plural = morph.inflect(noun.lemma_.lower(), "NNS")
    if plural is None:
        return []
    return [_replace(trigger, noun, f"{trigger.lower_} + {noun.lower_} of", noun, plural, "NNS")]


def _singular_after_of(noun: P) -> list[Candidate]:
    """ "a lot of shop", "one of my friend", "many of the student": a singular count noun
    after a phrase that counts several."""
    prep = noun.head
    if noun.dep_ != "pobj" or prep.lower_ != "of" or prep.i >= noun.i:
        return []
    counter = prep.head
    low = counter.lower_
    if low in _COUNTING_NOUNS and counter.tag_ in ("NN", "NNS"):
        if low == "lot" and not any(c.lower_ == "a" for c in counter.children):
            return []
        if low == "number" and not any(c.lower_ == "a" for c in counter.children):
            return []  # "the number of student ..." is singular
    elif not (low in _COUNTING_DETS and counter.tag_ in ("CD", "DT", "JJ", "NN")):
        return []
    if low in ("one", "each", "some", "any", "all", "most", "none") and not any(
        c.dep_ in ("det", "poss") for c in noun.children
    ):
        return []  # "one of them", "some of it"; "all of Europe" needs a determiner to count
    if any(
        c.dep_ in ("det", "nummod") and c.lower_ in ("a", "an", "this", "that")
        for c in noun.children
    ):
        return []
    if not noun.is_alpha or (noun.text[:1].isupper() and noun.i != noun.sent.start):
        return []
    nxt = noun.doc[noun.i + 1] if noun.i + 1 < len(noun.doc) else None
    if nxt is not None and (nxt.pos_ in ("NOUN", "PROPN") or nxt.lower_ in ("'s", "-")):
        return []  # "a lot of car owners": the head noun comes later
    if not _countable(noun.lemma_.lower()):
        return []
    plural = _pluralisable(noun)
    if plural is None:
        return []
    first = counter.left_edge if counter.left_edge.i >= noun.sent.start else counter
    return [_replace(first, noun, f"{low} of + singular", noun, plural, "NNS")]


def _indefinite_plural(noun: P) -> list[Candidate]:
    """ "a chairs", "an old books": a/an before a plural noun."""
    article = next((c for c in noun.children if c.dep_ == "det" and c.lower_ in ("a", "an")), None)
    if article is None or article.i > noun.i or not noun.is_alpha:
        return []
    lemma = noun.lemma_.lower()
    if noun.lower_ == lemma or not noun.lower_.endswith("s") or lemma in _EITHER_NUMBER:
        return []  # "a series", "a means", "a lot"
    if noun.text[:1].isupper() or lemma in lx.INVARIANT_NOUNS:
        return []
    between = noun.doc[article.i + 1 : noun.i]
    if any(t.tag_ == "CD" or t.lower_ in ("few", "couple", "lot", "-") for t in between):
        return []  # "a few days", "a two-hours trip"
    nxt = noun.doc[noun.i + 1] if noun.i + 1 < len(noun.doc) else None
    if nxt is not None and (nxt.pos_ in ("NOUN", "PROPN") or nxt.lower_ in ("'s", "-")):
        return []  # "a sports car": the plural is a modifier
    if not _countable(lemma):
        return []
    return [
        Candidate(
            article,
            noun,
            f"{article.lower_} + plural",
            note=f"one {lemma}, or {noun.lower_} without '{article.lower_}'",
            confident=False,
        )
    ]


_IRREGULAR_PLURALS = lx.words("children women men people teeth feet mice geese sheep")
_COUNTING_WORDS = lx.words("many several few various numerous these those some most all")


def _counted(noun: P) -> bool:
    """A number or a word of counting before the noun: "many", "two", "a lot of"."""
    if any(c.dep_ == "nummod" or c.lower_ in _COUNTING_WORDS for c in noun.children):
        return True
    prep = noun.head
    return (
        noun.dep_ == "pobj"
        and prep.lower_ == "of"
        and prep.head.lemma_.lower() in ("lot", "lots", "plenty", "number", "majority")
    )


def _plural_of_a_plural_or_mass(noun: P, singular: str) -> list[Candidate]:
    """ "informations" -> "information", "childrens" -> "children" (from the lexicon)."""
    low = noun.lower_
    determined = any(c.dep_ in ("det", "nummod") for c in noun.children)
    if low == "peoples":
        flagged = _counted(noun)  # "many peoples"; "the peoples of Europe" are nations
    else:
        flagged = low not in lx.AMBIGUOUS_PLURALS or determined or _counted(noun)
    nxt = noun.doc[noun.i + 1] if noun.i + 1 < len(noun.doc) else None
    if singular in _IRREGULAR_PLURALS and nxt is not None and nxt.pos_ == "NOUN":
        flagged = False  # "womens rights", "peoples lives": an apostrophe left out
    if not flagged:
        return []
    if singular in _IRREGULAR_PLURALS:
        # "childrens" -> "children": the fix is itself a plural.
        return [_replace(noun, noun, f"{low} (plural: {singular})", noun, singular, None)]
    key = f"{low} (uncountable)"
    many = next((c for c in noun.children if c.lower_ == "many" and c.i < noun.i), None)
    if many is None:
        return [_replace(noun, noun, key, noun, singular, "NN")]
    # "many advices" -> "much advice": "many advice" would be no better.
    between = noun.doc.text[many.idx + len(many.text) : noun.idx]
    fix = _match_case("much", many.text) + between + singular
    end = noun.idx + len(noun.text)

    def expect(t: P) -> bool:
        return t.lower_ == singular

    return [Candidate(many, noun, key, (many.idx, end, fix), expect)]


def _many_before_uncountable(noun: P) -> list[Candidate]:
    """ "many money" -> "much money", "a few information" -> "a little information"."""
    for child in noun.children:
        if child.i > noun.i or child.dep_ not in ("amod", "det"):
            continue
        if child.lower_ == "many":
            return [_swap(child, noun, f"many + {noun.lemma_.lower()}", child, "much")]
        a = noun.doc[child.i - 1]
        if child.lower_ == "few" and a.lower_ == "a":
            return [_swap(a, noun, f"a few + {noun.lemma_.lower()}", child, "little")]
    return []


def _pluralisable(noun: P) -> str | None:
    lemma = noun.lemma_.lower()
    if lemma in lx.INVARIANT_NOUNS or lemma in lx.UNCOUNTABLE_NOUNS:
        return None
    if not noun.is_alpha or (noun.text[:1].isupper() and noun.i != noun.sent.start):
        return None
    plural = morph.inflect(lemma, "NNS")
    if plural is None or plural == noun.lower_:
        return None
    return plural


_SIZES = lx.words("tall high long deep wide")


def _singular_after_plural_quantifier(doc: Doc, noun: P) -> list[Candidate]:
    after = noun.doc[noun.i + 1] if noun.i + 1 < len(noun.doc) else None
    if after is not None and (after.lower_ in ("-", "old", "'s") or after.pos_ == "NOUN"):
        return []  # "a two-hour drive", "three year old", "ten minute walk"
    if any(c.tag_ in ("NNP", "NNPS") for c in noun.children):
        return []  # "4 Spruce Avenue": part of a name
    if noun.lower_ == "foot" and after is not None and (after.lower_ in _SIZES or after.like_num):
        return []  # "five foot tall", "six foot two": heights are said so
    trigger: P | None = None
    for child in noun.children:
        if child.i > noun.i:
            continue
        count = _count(child) if child.dep_ == "nummod" else None
        if (
            count is not None and count > 1 and not re.fullmatch(r"(1[5-9]|20)\d\d", child.text)
        ) or (
            child.lower_ in _PLURAL_QUANTIFIERS
            and child.dep_ in ("amod", "det")
            and (
                (
                    child.lower_ == "few"
                    and any(c.lower_ == "a" for c in (*noun.children, *child.children))
                )
                or child.lower_ != "few"
            )
        ):
            trigger = child
    if trigger is None and noun.dep_ == "nsubj" and noun.head.tag_ == "VBP":
        # "some shop open late": "some/all/most" + a singular may be right ("some guy called"),
        # but the plural verb shows that many were meant.
        trigger = next(
            (c for c in noun.children if c.i < noun.i and c.lower_ in _SOME_ALL_MOST), None
        )
        lemma = noun.lemma_.lower()
        # The verb settles the count, so a noun listed both ways will do ("some city allow").
        countable = morph.countability(lemma) in ("count", "both")
        if not countable or lemma in lx.UNCOUNTABLE_NOUNS or lemma in _PRONOUN_NOUNS:
            trigger = None
        elif trigger is not None and any(t.pos_ != "ADJ" for t in noun.doc[trigger.i + 1 : noun.i]):
            trigger = None  # "most likely the firm are": "most" goes with the adverb
    if trigger is None:
        # "one of my friend": the noun after "one of" is one of many.
        head = noun.head
        one_of = noun.dep_ == "pobj" and head.lower_ == "of" and head.head.lower_ == "one"
        if one_of and any(c.dep_ in ("det", "poss") for c in noun.children):
            trigger = head.head
    if trigger is None:
        return []
    if trigger.lower_ == "both" and (
        _children(noun, "conj") or any(t.lower_ == "and" for t in noun.doc[noun.i + 1 : noun.i + 5])
    ):
        return []  # "both fear and anger"
    a_few = trigger.lower_ == "few"  # its "a" is part of "a few", not the noun's
    if any(
        c.dep_ == "det" and c.lower_ in ("a", "an", "this", "that", "every", "each")
        for c in noun.children
        if not (a_few and c.lower_ == "a")
    ):
        return []
    plural = _pluralisable(noun)
    if plural is None:
        return []
    return [_replace(trigger, noun, f"{trigger.lower_} + singular", noun, plural, "NNS")]


def _plural_after_singular_quantifier(noun: P) -> list[Candidate]:
    much = next((c for c in noun.children if c.lower_ == "much" and c.i < noun.i), None)
    if much is not None:
        return [_replace(much, noun, "much + plural", much, "many", None)]
    det = next(
        (c for c in noun.children if c.dep_ == "det" and c.lower_ in _SINGULAR_ONLY_DETS), None
    )
    if det is None or det.i > noun.i or noun.lemma_.lower() == noun.lower_:
        return []
    if det.lower_ == "each" and det.i + 1 < len(det.doc) and det.doc[det.i + 1].lower_ == "other":
        return []  # "each other's appearances"
    if det.i > 0 and det.doc[det.i - 1].lower_ == "one":
        return []  # "one another"
    if any(t.lower_ in ("few", "couple") or t.tag_ == "CD" for t in det.doc[det.i + 1 : noun.i]):
        return []  # "another few hours", "every two weeks"
    if any(c.dep_ == "nummod" for c in noun.children):
        return []  # "every two weeks"
    singular = noun.lemma_.lower()
    if not noun.is_alpha or singular in lx.INVARIANT_NOUNS:
        return []
    return [_replace(det, noun, f"{det.lower_} + plural", noun, singular, "NN")]


def plural_countable(doc: Doc) -> Detection | None:
    return _finish(doc, "grammar.plural_countable", _plural_candidates)
