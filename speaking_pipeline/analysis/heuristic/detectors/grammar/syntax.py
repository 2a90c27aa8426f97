"""Readings of spaCy's tree shared by the rules: a verb's subject, the number of a noun."""

from __future__ import annotations

from typing import TYPE_CHECKING

from speaking_pipeline.analysis.heuristic import lexicons as lx
from speaking_pipeline.analysis.heuristic import morphology as morph
from speaking_pipeline.analysis.heuristic.detectors.grammar.countability import _countable

if TYPE_CHECKING:
    from spacy.tokens import Token as P


def _span_of(*tokens: P) -> tuple[P, P]:
    ordered = sorted(tokens, key=lambda t: t.i)
    return ordered[0], ordered[-1]


def _match_case(word: str, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def _children(token: P, *deps: str) -> list[P]:
    return [c for c in token.children if c.dep_ in deps]


def _clause_words(verb: P) -> set[str]:
    """Lower-cased words of the verb's own clause (not of clauses embedded in it)."""
    words: set[str] = set()
    stack = [verb]
    while stack:
        token = stack.pop()
        words.add(token.lower_)
        for child in token.children:
            if child.dep_ in ("ccomp", "relcl", "advcl", "xcomp", "acl", "parataxis", "conj"):
                continue
            stack.append(child)
    return words


_SINGULAR_PRONOUNS = frozenset(
    {"he", "she", "it", "this", "that", "everyone", "everybody", "someone", "somebody"}
    | {"nobody", "anyone", "anybody", "everything", "something", "nothing", "anything"}
)
_PLURAL_PRONOUNS = frozenset({"we", "they", "these", "those"})
# Nouns whose verb may be singular or plural (BrE "the team are"), or whose number the head
# noun does not show ("a lot of people are", "the rest of them were").
_EITHER_NUMBER = lx.words(
    """
    family team government staff police crew audience public majority minority couple group
    class committee company army band board club community council jury management media
    lot number rest half part percent kind sort type variety range plenty bunch set series
    species none all some most any each either neither total amount whole
    politics economics means
    """
)
# Ending in -s but singular: "the news is", "physics is hard".
_SINGULAR_IN_S = lx.words("news physics mathematics maths athletics measles")
_CAUSATIVES = frozenset({"let", "make", "help", "have", "see", "watch", "hear", "feel", "bid"})


def _subject_of(verb: P) -> P | None:
    head = verb.head if verb.dep_ in ("aux", "auxpass") else verb
    for child in head.children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            return child
    return None


def _number(subject: P, verb: P) -> str | None:
    """'1' (I), '2' (you), '3sg' or 'pl' for the subject, or None when it cannot be told."""
    low = subject.lower_
    conj = _children(subject, "conj")
    if conj:
        links = {c.lower_ for c in _children(subject, "cc")}
        # "Tom and Anna", "my sister and her friends": plural whatever each part is.
        nominal = all(c.pos_ in ("NOUN", "PROPN", "PRON") for c in (subject, *conj))
        if links != {"and"} or not nominal:
            return None
        attr = next((c for c in verb.children if c.dep_ == "attr" and c.tag_ == "NN"), None)
        if attr is not None and any(c.lower_ in ("a", "an") for c in attr.children):
            return None  # "fish and chips is a dish": one thing named by two words
        bare = all(
            c.pos_ == "NOUN" and not any(d.dep_ in ("det", "poss") for d in c.children)
            for c in (subject, *conj)
        )
        if bare and attr is not None and any(c.dep_ in ("det", "poss") for c in attr.children):
            return None  # "fish and chips is my favourite meal": bare nouns naming one dish
        return "pl"
    if subject.tag_ == "PRP":
        before = subject.doc[subject.i - 1] if subject.i > subject.sent.start else None
        if before is not None and before.pos_ == "ADP":
            return None  # "the best way for you is ...": a misread object
        return {"i": "1", "you": "2", "he": "3sg", "she": "3sg", "it": "3sg"}.get(low) or (
            "pl" if low in ("we", "they") else None
        )
    if low in ("who", "what") and subject.i == subject.sent.start and verb.dep_ == "ROOT":
        # A question about who or what did it asks in the singular: "Who wants to come?"
        return "3sg" if subject.sent[-1].text == "?" else None
    if low in ("who", "that", "which"):
        return _antecedent_number(subject, verb)
    if low in _SINGULAR_PRONOUNS and subject.tag_ in ("DT", "NN"):
        return "3sg"
    if low in _PLURAL_PRONOUNS and subject.tag_ == "DT":
        return "pl"
    if low == "both" and subject.tag_ == "DT":
        return "pl"  # "both has" (of two things just named, or "both of them")
    if low == "one" and subject.tag_ == "CD" and any(c.lower_ == "of" for c in subject.children):
        return "3sg"  # "one of my friends live": the verb goes with "one", not "friends"
    if low == "each" and any(c.lower_ == "of" for c in subject.children):
        return "3sg"  # "each of the rooms have"
    return _noun_number(subject)


_SINGULAR_DETS = lx.words("a an this that every each one another either neither")
_PLURAL_DETS = lx.words("these those many several both few various numerous")
_IRREGULAR_PLURALS = lx.words("people children men women police")
# Antecedents whose number is certain: "anybody who need" is wrong whatever the parse of the
# rest of the sentence, "people who wants" too.
_SINGULAR_ANTECEDENTS = lx.words(
    """
    someone somebody anyone anybody everyone everybody no-one nobody one person man woman
    child student teacher friend thing something anything everything nothing
    """
)
_AMOUNTS = lx.words("lot number couple")
# Nouns whose "of" phrase, not the noun itself, often decides the verb: "a third of the
# students are", "the majority of people think".
_PARTITIVES = lx.words("third quarter fifth tenth dozen proportion percentage share")


# "That is because", "that's why": a demonstrative opening a sentence a run-on glued on.
_THAT_IS_OPENERS = lx.words("because why how what when where ,")


def _antecedent_number(pronoun: P, verb: P) -> str | None:
    """The number of a relative pronoun's antecedent, when the antecedent shows it without
    doubt ("everyone who", "people that", "a person who"); otherwise None."""
    clause = verb.head if verb.dep_ in ("aux", "auxpass") else verb
    if clause.dep_ != "relcl" or pronoun.head.i != clause.i:
        return None
    antecedent = clause.head
    if antecedent.i >= pronoun.i or antecedent.i < pronoun.i - 3:
        return None  # "the mother of the children who ...": too far to be sure
    after = verb.doc[verb.i + 1] if verb.i + 1 < len(verb.doc) else None
    if pronoun.lower_ == "that" and after is not None and after.lower_ in _THAT_IS_OPENERS:
        return None  # "... we should rest that is because ...": a new sentence left unstopped
    counted = antecedent.head.lower_ == "of" and antecedent.head.head.lemma_.lower() in _AMOUNTS
    if (
        antecedent.dep_ == "pobj"
        and pronoun.lower_ != "who"
        and not counted
        and not _one_either_way(antecedent)
    ):
        # "the noise from cars which is ...": "which" may go with the first noun; not after
        # an amount, which has no number of its own ("a lot of tourists that doesn't").
        return None
    low = antecedent.lower_
    if low in _IRREGULAR_PLURALS or low == "those":
        return "pl"
    # ", which" after a singular noun: it stands for the noun or for the whole clause before
    # it ("they play sports, which is healthy"), singular either way; after a plural it may
    # be either, so only the singular is read.
    comma_which = (
        pronoun.lower_ == "which"
        and antecedent.i == pronoun.i - 2
        and verb.doc[pronoun.i - 1].lower_ == ","
    )
    if (antecedent.i == pronoun.i - 1 or comma_which) and not _children(antecedent, "conj"):
        # "the letters which was", "a problem that need": the noun right before the pronoun,
        # when its form shows its number and it is not a kind or an amount.
        if low in _EITHER_NUMBER or antecedent.lemma_.lower() in _EITHER_NUMBER:
            return None
        regular = antecedent.lower_ != antecedent.lemma_.lower() and low.endswith("s")
        lemma = antecedent.lemma_.lower()
        # A regular plural shows its number whatever the lexicon says of the singular: "other
        # changes which is" ("change" is listed both ways, like "time").
        if antecedent.tag_ == "NNS" and regular and lemma not in lx.UNCOUNTABLE_NOUNS:
            return None if comma_which else "pl"
        # A singular noun, counted or not, takes a singular verb ("society which judge"):
        # only the parse's tag must be right, so the word must be one the lexicon knows.
        known = _countable(low) or morph.countability(lemma) in ("count", "both", "mass")
        if antecedent.tag_ == "NN" and known and not low.endswith("s"):
            return "3sg"
    if antecedent.tag_ != "NN" or low not in _SINGULAR_ANTECEDENTS:
        return None
    dets = {c.lower_ for c in antecedent.children if c.dep_ == "det"}
    if low in ("one", "person", "man", "woman", "child", "student", "teacher", "friend"):
        # "the one who", "a person who"; "one of the people who" is plural, so "one" needs a
        # determiner of its own.
        return "3sg" if dets & {"a", "an", "the", "every", "each", "this", "that"} else None
    return "3sg"


def _one_either_way(pobj: P) -> bool:
    """ "the influence on society which": a singular noun after a preposition whose own head
    is a singular noun or a verb, so "which" stands for one thing whichever it goes with."""
    owner = pobj.head.head
    return pobj.tag_ == "NN" and (owner.tag_ == "NN" or owner.pos_ == "VERB")


def _noun_number(noun: P) -> str | None:
    """The number of a noun subject: from a determiner that fixes it ("this", "these"), an
    irregular plural ("people"), a possessive ("my boss"), or, with "the" or no determiner,
    from a regular form ("the manager ask": whether "managers" or "asks" was meant, the two
    disagree). Nouns of either number (team, series, news) give None."""
    if noun.tag_ not in ("NN", "NNS"):
        return None
    if noun.lemma_.lower() in _AMOUNTS and any(c.lower_ == "a" for c in noun.children):
        # "a lot of tourists comes": the noun after "of" gives the number.
        of = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"), None)
        counted = next((c for c in of.children if c.dep_ == "pobj"), None) if of else None
        if counted is not None and (
            counted.lower_ in _IRREGULAR_PLURALS
            or (counted.tag_ == "NNS" and counted.lower_ != counted.lemma_.lower())
        ):
            return "pl"
        return None
    if noun.lower_ in _SINGULAR_IN_S:
        return "3sg"
    if noun.lemma_.lower() in _EITHER_NUMBER:
        return None
    if noun.lower_ in _EITHER_NUMBER or noun.lemma_.lower() == "folk":
        return None
    if noun.text[:1].isupper() and noun.i != noun.sent.start:
        return None
    if _children(noun, "conj") or not morph.is_known(noun.text):
        return None
    if noun.lemma_.lower() in _PARTITIVES:
        return None
    has_of = any(c.dep_ == "prep" and c.lower_ == "of" for c in noun.children)
    if has_of and noun.tag_ == "NN" and not _counts_alone(noun):
        # "the kind of books", "a lot of things": the verb often agrees with the second noun.
        # A noun that is no quantity decides alone: "the price of the tickets are".
        return None
    number = "3sg" if noun.tag_ == "NN" else "pl"
    dets = [
        c for c in noun.children if c.dep_ in ("det", "nummod", "amod", "poss") and c.i < noun.i
    ]
    if any(c.dep_ == "nummod" for c in dets):
        return None  # "fifty years is a long time": an amount takes a singular verb
    if any(c.lower_ in _SINGULAR_DETS for c in dets):
        return "3sg" if number == "3sg" else None
    if any(c.lower_ in _PLURAL_DETS for c in dets):
        return "pl" if number == "pl" else None
    if noun.lower_ in _IRREGULAR_PLURALS:
        return "pl"
    if any(c.dep_ == "poss" for c in dets):
        return number
    if noun.tag_ == "NN" and noun.lemma_.lower() in lx.UNCOUNTABLE_NOUNS:
        return "3sg"  # "the information are": no plural to choose instead
    if noun.lemma_.lower() in lx.INVARIANT_NOUNS:
        return None
    if not any(c.dep_ in ("det", "poss", "nummod") and c.lower_ != "the" for c in dets):
        # "the manager ask", "the students likes": whichever word the learner meant to change,
        # subject and verb disagree. A regular ending shows the number; forms that may be
        # read either way ("series", "the fish") were excluded above.
        if noun.tag_ == "NNS" and noun.lower_ != noun.lemma_.lower() and noun.lower_.endswith("s"):
            return "pl"
        if noun.tag_ == "NN" and not noun.lower_.endswith(("s", "ics")):
            return "3sg"
    return None


def _counts_alone(noun: P) -> bool:
    """The noun is a thing or a quality rather than an amount, a part or a kind, so "of ..."
    does not decide: "the price of houses are" and "the quality of the roads are" are slips,
    "a lot of people are" and "the rest of them were" are not."""
    return noun.lemma_.lower() not in _OF_DECIDES


# Nouns whose verb may follow the noun after "of": amounts, parts, kinds and groups.
_OF_DECIDES = lx.words(
    """
    group kind sort type lot lots pair piece bit majority minority rest half part variety
    range number couple bunch set plenty amount fraction bulk remainder total handful dozen
    percent percentage proportion share most none all some any each either neither one
    series mass host crowd team family staff class
    """
)


_POSSESSIVES = frozenset({"my", "your", "his", "her", "our", "their"})


def _plain_finite(verb: P) -> bool:
    """A bare form used as a finite verb ("he go"), not an infinitive or an imperative."""
    if _children(verb, "aux", "auxpass", "mark"):
        return False
    if verb.dep_ not in ("ROOT", "conj", "advcl", "relcl", "ccomp"):
        return False
    if verb.dep_ == "ccomp" and verb.head.lemma_.lower() in _CAUSATIVES:
        return False
    subject = _subject_of(verb)
    return subject is not None and "Case=Acc" not in str(subject.morph)


def _one_thing(attr: P) -> bool:
    """The complement's verb is singular "is/was" and its subject, before it, is one thing:
    he, she, it, this, that, or a singular noun."""
    verb = attr.head
    subject = _subject_of(verb)
    if verb.lower_ not in ("is", "was", "'s") or subject is None or subject.i > verb.i:
        return False
    return subject.lower_ in ("he", "she", "it", "this", "that") or subject.tag_ == "NN"


_PERIODS = frozenset(
    {"years", "months", "weeks", "days", "hours", "minutes", "year", "month", "week", "day", "hour"}
)
