"""grammar.article_omission: a singular countable noun with no determiner, and wrong articles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from speaking_pipeline.analysis.heuristic import lexicons as lx
from speaking_pipeline.analysis.heuristic import morphology as morph
from speaking_pipeline.analysis.heuristic.detectors.common import indefinite_article
from speaking_pipeline.analysis.heuristic.detectors.grammar.candidates import (
    Candidate,
    _finish,
    _replace,
    _swap,
)
from speaking_pipeline.analysis.heuristic.detectors.grammar.countability import (
    _ATTR_MASS_OK,
    _DET_TAGS,
    _MASS_TOO,
    _PRONOUN_NOUNS,
    _countable,
)
from speaking_pipeline.analysis.heuristic.detectors.grammar.past_time import _REPORTING
from speaking_pipeline.analysis.heuristic.detectors.grammar.syntax import (
    _EITHER_NUMBER,
    _PERIODS,
    _children,
    _match_case,
    _one_thing,
)
from speaking_pipeline.analysis.heuristic.findings import Detection
from speaking_pipeline.analysis.heuristic.text import Doc

if TYPE_CHECKING:
    from spacy.tokens import Span
    from spacy.tokens import Token as P

_THE_PLACES = lx.words(
    """
    cinema theatre theater supermarket station airport beach park gym museum bank library
    market mall pharmacy bakery doctor dentist centre center city countryside
    """
)
_QUANTIFIER_WORDS = lx.words(
    "many much few several more most less enough such what which whose each every no any some"
)
# A singular noun after "be" is now and then parsed as an adjectival complement ("she is
# nurse": acomp): it is the same complement as an attr.
_COMPLEMENT_DEPS = frozenset({"attr", "acomp"})
_ARGUMENT_DEPS = (
    frozenset({"dobj", "pobj", "nsubj", "nsubjpass", "appos", "oprd"}) | _COMPLEMENT_DEPS
)
_TIME_UNITS = lx.PAST_MARKER_UNITS | lx.words("day morning evening afternoon time")
_MORE_IDIOMS = frozenset(
    {
        ("in", "addition"),
        ("in", "conclusion"),
        ("in", "general"),
        ("in", "particular"),
        ("in", "summary"),
        ("in", "short"),
        ("in", "contrast"),
        ("in", "comparison"),
        ("at", "last"),
        ("in", "future"),
        ("with", "reason"),
    }
)
_INSTRUMENTS = lx.words(
    "piano guitar violin cello flute drums drum trumpet saxophone clarinet harp keyboard bass"
)
_DEFINITE_ADJECTIVES = lx.words("same only first last next best worst main following whole")
_ORDINALS = lx.words("second third fourth fifth sixth seventh eighth ninth tenth")


def _countable_here(doc: Doc) -> frozenset[str]:
    """Nouns the transcript itself shows as countable: used with a/an or in the plural."""
    memo = doc.memo.get("countable")
    if isinstance(memo, frozenset):
        return memo
    # Only the plural proves it: learners also put "a" before uncountable nouns.
    seen = {
        t.lemma_.lower()
        for t in doc.parsed
        if t.tag_ == "NNS" and t.pos_ == "NOUN" and not t.lower_.endswith("ings")
    }
    result = frozenset(seen - _MASS_TOO)
    doc.memo["countable"] = result
    return result


def _needs_determiner(doc: Doc, noun: P) -> bool:
    if noun.tag_ != "NN" or noun.dep_ not in _ARGUMENT_DEPS or "Number=Sing" not in str(noun.morph):
        return False
    lemma = noun.lemma_.lower()
    known = lemma in lx.COUNT_NOUNS and lemma not in _MASS_TOO
    if not known and noun.dep_ in _COMPLEMENT_DEPS and _children(noun, "amod") and _one_thing(noun):
        # "it was wonderful experience", "she is kind doctor": after "be" with a
        # describing adjective, a noun used both ways means one instance when the subject
        # is one thing ("the shows are cheap entertainment" is the mass sense).
        known = (
            morph.countability(lemma) in ("count", "both")
            and lemma not in _ATTR_MASS_OK
            and lemma not in lx.UNCOUNTABLE_NOUNS
            and lemma not in _PRONOUN_NOUNS
        )
    if not known and noun.dep_ in _COMPLEMENT_DEPS and _one_thing(noun) and _of_phrase(noun):
        # "it is combination of skill and power": a complement with an "of" phrase names one
        # instance ("a combination"), unless it is a part or an amount ("it is part of life").
        known = (
            morph.countability(lemma) in ("count", "both")
            and lemma not in _ATTR_MASS_OK
            and lemma not in lx.OF_BARE_OK
            and lemma not in lx.UNCOUNTABLE_NOUNS
        )
    if not known and _countable(lemma):
        # A count noun known only from the lexicon: bare after a preposition it is too often
        # an idiom ("give to charity", "in search of", "at stake"), so there it needs an
        # adjective that makes it one particular thing ("for long walk").
        known = noun.dep_ != "pobj" or bool(_children(noun, "amod"))
    # Bare in set phrases ("in town", "at school"), but an adjective other than a kind of
    # institution makes it one particular place: "in small town", not "at high school".
    one_place = lemma in lx.INSTITUTIONAL_NOUNS and any(
        a.lower_ not in lx.CLASSIFIER_ADJECTIVES for a in _children(noun, "amod")
    )
    known = known or one_place
    definite = lemma in _UNIQUE or any(_makes_definite(a) for a in _children(noun, "amod"))
    if noun.dep_ == "pobj" and noun.head.lower_ in ("to", "at") and lemma in _THE_PLACES:
        # "we went to cinema": a place everyone shares, reached or visited; "cinema" and
        # "theatre" are also arts, so they are not listed as count nouns.
        definite = definite or not _children(noun, "amod")
    if not (known or definite):
        if lemma not in _countable_here(doc):
            return False
        if noun.dep_ == "pobj" and not _children(noun, "amod"):
            # Countable only by the transcript's own plurals: after a preposition the same
            # idiom risk as above ("donate to charity" beside "charities", "full of hope").
            return False
    if noun.text[:1].isupper() and noun.i != noun.sent.start:
        return False
    if _determined(noun):
        return False
    after = noun.doc[noun.i + 1] if noun.i + 1 < len(noun.doc) else None
    if after is not None and (after.tag_ in ("CD", "POS", "NNP") or after.lower_ in ("'s", "-")):
        return False  # "room 5", "the doctor's", "bus-stop"
    head = noun.head
    idiom = (head.lemma_.lower(), noun.lower_) in lx.BARE_NOUN_IDIOMS or (
        head.lower_,
        noun.lower_,
    ) in _MORE_IDIOMS
    if idiom and not one_place:
        return False  # "take place", "in addition"
    if lemma == "place" and head.lower_ == "in" and head.i != noun.sent.start:
        return False  # "she came in second place": a ranking; "In first place, ..." is not
    if noun.dep_ == "dobj" and head.lemma_.lower() == "play" and lemma in _INSTRUMENTS:
        return False  # "play piano": usual in American English beside "play the piano"
    if (
        noun.lemma_.lower() in _TIME_UNITS
        and any(a.lower_ in ("last", "next", "this") for a in noun.children)
        and not _of_phrase(noun)
    ):
        return False  # "last year", "next week": time adverbials; not "last day of June"
    before = noun.doc[noun.i - 1] if noun.i > noun.sent.start else None
    if (
        before is not None
        and before.lower_ == "to"
        and morph.is_base_verb(noun.lower_)
        and not (before.dep_ == "prep" and before.head.lemma_.lower() in _GOING)
    ):
        return False  # "good to book": an infinitive misread as a noun; not "went to doctor"
    if (
        noun.dep_ == "dobj"
        and head.lemma_.lower() in _INFINITIVE_VERBS
        and not _children(noun, "amod", "compound")
        and morph.is_base_verb(noun.lower_)
    ):
        return False  # "learn swim": "to" left out of an infinitive, not "a swim"
    if noun.sent[0].lower_ == "dear":
        return False  # a greeting names its addressee without an article
    if noun.dep_ == "pobj":
        prep = noun.head
        pair = (prep.lower_, noun.lower_)
        if (pair in lx.BARE_NOUN_IDIOMS and not one_place) or prep.lower_ in ("per", "via"):
            return False
        if prep.lower_ == "by" and prep.dep_ != "agent":
            return False  # "by car", "by hand"; but the doer of a passive: "written by author"
        if prep.lower_ == "of" and prep.head.lemma_.lower() in lx.OF_BARE_OK:
            return False
    # "day by day", "from door to door", "hand in hand", "see eye to eye": whatever the parse
    # makes of the first noun.
    if any(t.lower_ == noun.lower_ for t in noun.sent if t.i != noun.i and abs(t.i - noun.i) <= 3):
        return False
    if noun.dep_ == "appos" and _of_phrase(noun):
        return False  # "Anna Berg, director of the museum": a title
    if (
        lemma in _ROLES
        and noun.dep_ in ("attr", "acomp", "oprd", "dobj")
        and (_of_phrase(noun) or head.lemma_.lower() in _ROLE_VERBS)
    ):
        return False  # "she became captain of the team", "they elected him president"
    if lemma == "future" and noun.dep_ == "dobj" and noun.head.lemma_.lower() == "have":
        return False  # "it has future" wants "a future": a set phrase of its own
    if lemma == "man" and not _children(noun, "amod"):
        return False  # "since then man has built cities": humankind
    # Headline-like openings and names are too often misread; a noun that is one of a kind
    # ("Environment is ...", "Atmosphere is ...") needs "the" there too.
    return not (noun.dep_ == "nsubj" and noun.i == noun.sent.start and lemma not in _UNIQUE)


# Verbs of going somewhere: their "to" is a preposition, so "went to doctor" is a noun.
_GOING = lx.words("go come get walk run drive fly travel move return send take bring")


# A post that one person holds at a time is named without an article as the complement of
# "be/become" with an "of" phrase, or after "elect/appoint/name".
_ROLES = lx.words(
    """
    president vice-president captain chairman chairwoman chairperson chair head leader
    director mayor governor king queen champion secretary treasurer editor coach principal
    """
)
_ROLE_VERBS = lx.words("become elect appoint name crown make")


# Verbs of skill followed by an infinitive: a bare verb after them lost its "to" ("learn
# swim"). Not "want/need/forget", whose objects are as often nouns that are also verbs
# ("forgot plan" wants "the plan").
_INFINITIVE_VERBS = lx.words("know learn")


def _superlative_most(token: P) -> bool:
    """ "most" making a superlative of an adjective ("most important"), not "most people"."""
    return token.lower_ == "most" and token.dep_ == "advmod" and token.head.pos_ == "ADJ"


def _makes_definite(adjective: P) -> bool:
    """A superlative, "same/only/next/…", or an ordinal opening the sentence ("Second day was
    the best"; elsewhere it may be "a second chance", and "in second place" is said bare)."""
    if adjective.tag_ == "JJS" or adjective.lower_ in _DEFINITE_ADJECTIVES:
        return True
    if any(_superlative_most(c) for c in adjective.children):
        return True
    return adjective.lower_ in _ORDINALS and adjective.i == adjective.sent.start


def _determined(noun: P) -> bool:
    """The noun has a determiner, a possessive, a number or a quantifier, or a name as its
    modifier ("Acme manager")."""
    for child in noun.children:
        if child.dep_ in ("det", "poss", "nummod", "predet", "case", "nmod"):
            return True
        if child.dep_ == "compound" and child.tag_ not in ("NN", "NNS"):
            return True
        if child.lower_ in _QUANTIFIER_WORDS:
            return True
    # Words before the noun phrase that belong to it but were attached elsewhere.
    left = noun.left_edge
    for token in noun.doc[max(noun.sent.start, left.i - 1) : noun.i]:
        if _superlative_most(token):
            continue  # "most important thing": the superlative wants "the"
        if token.tag_ in _DET_TAGS or token.lower_ in _QUANTIFIER_WORDS:
            return True
        if token.lower_ == "'s" and token.tag_ != "VBZ":
            return True  # a possessive; "that's reason why" is the verb
        if token.i == left.i - 1 and token.lower_ in _SUBJECT_PRONOUNS:
            return True  # "she mother": a possessive slip, reported as such
    return False


# "time" is countable after these: "a long time", "a hard time", "a great time".
_ONE_TIME = lx.words(
    "long short good great hard tough difficult wonderful nice lovely bad terrible fantastic"
    " amazing rough"
)


# "a foreign language": one language among many, the object of speaking or learning it.
_ONE_LANGUAGE = lx.words("foreign second new different")
_LANGUAGE_VERBS = lx.words("speak learn know study teach master")


def _set_phrase_without_article(noun: P) -> list[Candidate]:
    """ "for long time", "it has future", "speak foreign language", "learn about past": set
    phrases of nouns otherwise used both ways (so the general rule leaves them alone), where
    only one article fits."""
    # "about past from photos": the tagger reads a "past" with a phrase after it as an adverb.
    past = noun.lower_ == "past" and noun.dep_ == "pobj" and noun.tag_ in ("NN", "RB")
    if not (noun.tag_ == "NN" or past) or noun.dep_ == "compound" or not noun.is_lower:
        return []
    if _determined(noun):
        return []
    doc = noun.doc
    after = doc[noun.i + 1] if noun.i + 1 < noun.sent.end else None
    adjectives = {a.lower_ for a in _children(noun, "amod")}
    article = "a"
    if noun.lower_ == "past":
        if not past or any(c.dep_ not in ("punct", "prep") for c in noun.children):
            return []
        article = "the"
    elif noun.lower_ == "language":
        if not adjectives & _ONE_LANGUAGE or noun.dep_ != "dobj":
            return []
        if noun.head.lemma_.lower() not in _LANGUAGE_VERBS:
            return []
    elif noun.lower_ == "time":
        if not adjectives & _ONE_TIME:
            return []
        if after is not None and (after.lower_ in ("no", "-") or after.pos_ in ("NOUN", "PROPN")):
            return []  # "long time no see", "long time friend"
        if noun.dep_ == "pobj" and noun.head.lower_ == "in":
            return []  # "in good time", "in short time" are said without it
    elif noun.lower_ == "future":
        if noun.dep_ != "dobj" or noun.head.lemma_.lower() != "have":
            return []
    else:
        return []
    first = noun.left_edge if noun.left_edge.i >= noun.sent.start else noun
    start = noun.head if noun.head.i == first.i - 1 else first
    key = f"no article: {noun.lower_}"
    if article == "a":
        article = indefinite_article(first.text)
    return [_insert(start, noun, key, first, article)]


def _article_for(noun: P) -> str | None:
    """The article when the parse makes it certain, else None (the pattern is named only)."""
    adjectives = _children(noun, "amod")
    if any(_makes_definite(a) for a in adjectives):
        return "the"
    if noun.lemma_.lower() == "future" and any(a.lower_ not in _TIME_AHEAD for a in adjectives):
        return indefinite_article(noun.left_edge.text)  # "a bright future", "the near future"
    if noun.lemma_.lower() in _UNIQUE:
        return "the"
    if any(
        c.lower_ == "why" or (c.dep_ == "relcl" and any(g.lower_ == "why" for g in c.children))
        for c in noun.children
    ):
        return "the"  # "that's the reason why"
    if noun.dep_ in ("attr", "acomp", "appos", "oprd") or (
        noun.dep_ == "pobj" and noun.head.lower_ == "as"
    ):
        first = noun.left_edge if noun.left_edge.i < noun.i else noun
        return indefinite_article(first.text)
    to_place = noun.dep_ == "pobj" and noun.head.lower_ in ("to", "at") and not adjectives
    if to_place and noun.lemma_.lower() in _THE_PLACES:
        return "the"
    return None


_TIME_AHEAD = lx.words("near distant foreseeable immediate")
# Nouns of which there is one, so they take "the" ("the environment", "the atmosphere").
_UNIQUE = lx.UNIQUE_NOUNS | lx.words("atmosphere universe ozone future")


def _of_phrase(noun: P) -> bool:
    return any(c.dep_ == "prep" and c.lower_ == "of" and c.i == noun.i + 1 for c in noun.children)


_FEW_PREPOSITIONS = lx.words("for in within after during over about since")


def _few_without_a(few: P) -> list[Candidate]:
    """ "for few days", "within few months": after a preposition, "few" + a length of time
    means "a few" (bare "few" means "not many": "few people came" is right)."""
    doc = few.doc
    if few.dep_ != "amod" or few.i == few.sent.start:
        return []
    noun, before = few.head, doc[few.i - 1]
    if noun.i != few.i + 1 or noun.tag_ != "NNS" or noun.lemma_.lower() not in _PERIODS:
        return []
    if before.lower_ not in _FEW_PREPOSITIONS or before.tag_ != "IN":
        return []
    return [
        Candidate(
            before,
            noun,
            "few + period (a few)",
            (few.idx, few.idx, "a "),
            lambda t: t.lower_ == "a",
        )
    ]


_TIME_SPAN_PREPOSITIONS = lx.words("in for over during within from of than since")


def _time_span_without_the(noun: P) -> list[Candidate]:
    """ "in past 10 years", "for last two weeks", "in near future": a span of time fixed by
    "past/last/next/near/recent" takes "the" after a preposition. ("In future" alone is a
    British idiom and "last year" an adverbial: neither is flagged.)"""
    # Read from the words: the parse often takes "past" for a preposition here.
    doc = noun.doc
    lemma = noun.lemma_.lower()
    if noun.tag_ == "NN" and lemma in ("future", "past"):
        width = 1
        spans = ("near", "distant", "recent", "immediate", "foreseeable")
    elif noun.tag_ == "NNS" and lemma in _PERIODS:
        width = 2
        spans = ("past", "last", "next", "coming", "following")
    else:
        return []
    start = noun.i - width - 1
    if start < noun.sent.start:
        return []
    prep, first = doc[start], doc[start + 1]
    if prep.lower_ not in _TIME_SPAN_PREPOSITIONS or first.lower_ not in spans:
        return []
    if width == 2 and not (doc[noun.i - 1].like_num or doc[noun.i - 1].lower_ == "few"):
        return []  # "in past years" is said; "in past 10 years" needs "the"
    return [
        Candidate(
            prep,
            noun,
            f"no article: {first.lower_} {noun.lower_}",
            (first.idx, first.idx, "the "),
            lambda t: t.dep_ == "det" and t.lower_ == "the",
        )
    ]


# Beyond lx.OF_BARE_OK, nouns said bare before "of": "use of", "half of", "in charge of".
_BARE_BEFORE_OF = lx.words(
    """
    use care advantage fun sight track account charge favour favor half majority minority
    number couple range
    """
)
# "take care of", "make use of", "lose sight of": the verb and the bare noun are one idiom.
_OF_IDIOM_VERBS = lx.words("take took taken taking make made making lose lost keep kept get got")


def _bare_before_of_phrase(noun: P) -> list[Candidate]:
    """ "look up meaning of every term", "temperature of the room drops": a singular noun made
    particular by an "of" phrase needs an article as a subject or object."""
    if noun.tag_ != "NN" or noun.dep_ not in ("dobj", "nsubj", "nsubjpass") or not _of_phrase(noun):
        return []
    lemma = noun.lemma_.lower()
    if lemma in _BARE_BEFORE_OF or lemma in lx.OF_BARE_OK or not noun.is_alpha:
        return []
    if lemma.endswith("ness"):
        return []  # qualities are mostly uncountable: "awareness of the risk", "kindness of"
    if noun.i == noun.sent.start or noun.text[:1].isupper():
        return []  # headlines and names, as for the other bare nouns
    if noun.dep_ == "dobj" and noun.head.lower_ in _OF_IDIOM_VERBS:
        return []
    if any(c.dep_ not in ("prep", "punct") for c in noun.children if c.i < noun.i):
        return []  # any modifier or determiner: "its use of", "public awareness of"
    before = noun.doc[noun.i - 1]
    if before.tag_ in _DET_TAGS or before.lower_ in _QUANTIFIER_WORDS or before.pos_ == "ADJ":
        return []
    of = noun.doc[noun.i + 1]
    owner = next((c for c in of.children if c.dep_ == "pobj"), None)
    if owner is None or lemma in _PRONOUN_NOUNS:
        return []
    if not any(c.dep_ in ("det", "poss") for c in owner.children) and owner.tag_ != "NN":
        return []  # "awareness of risks", "legalization of drugs": said of things in general
    # Mostly "the", but "a glass of water", "an understanding of": the pattern is named only.
    return [Candidate(noun, of, f"no article: {noun.lower_} of", note=None, confident=False)]


def _article_candidates(doc: Doc, sent: Span) -> list[Candidate]:
    found: list[Candidate] = _fixed_phrase_candidates(sent)
    for token in sent:
        if token.lower_ == "few":
            found += _few_without_a(token)
            continue
        if token.tag_ in ("NN", "NNS"):
            span = _time_span_without_the(token)
            if span:
                found += span
                continue
        if token.lower_ in ("a", "an") and token.dep_ == "det":
            found += _wrong_indefinite(token)
            continue
        if token.lower_ in ("this", "that") and token.dep_ == "det":
            found += _demonstrative_number(token)
            continue
        if token.lower_ in _POSSESSIVE_FOR:
            found += _pronoun_for_possessive(token)
            continue
        if token.lower_ == "such":
            found += _such_without_a(token)
            continue
        if token.lower_ == "same":
            found += _same_without_the(token)
            continue
        part = _part_without_the(token) if token.lower_ in _PART_NOUNS else []
        if part:
            found += part
            continue
        if not _needs_determiner(doc, token):
            found += _bare_before_of_phrase(token) or _set_phrase_without_article(token)
            continue
        first = token.left_edge if token.left_edge.i >= sent.start else token
        while first.i < token.i and first.dep_ in ("punct", "cc", "prep"):
            first = first.doc[first.i + 1]
        article = _article_for(token)
        # The quote starts at the word that governs the phrase: "is nurse", "in small hotel".
        start = token.head if token.head.i == first.i - 1 else first
        if article is None:
            found.append(
                Candidate(start, token, f"no article: {token.lower_}", note=None, confident=False)
            )
            continue
        # At the start of a sentence the article takes the capital: "The environment".
        opening = (
            first.i == sent.start and first.tag_ not in ("NNP", "NNPS") and first.lower_ != "i"
        )
        found.append(
            Candidate(
                start,
                token,
                f"no article: {token.lower_}",
                (
                    (first.idx, first.idx + 1, f"{article.capitalize()} {first.text[0].lower()}")
                    if opening
                    else (
                        first.idx,
                        first.idx,
                        f"{article} " if first.text[:1].islower() else article.capitalize() + " ",
                    )
                ),
                lambda t: t.dep_ == "det" and t.lower_ in ("a", "an", "the"),
            )
        )
    return found


# Object and possessive pronouns used where a determiner belongs: "for you letter", "of them
# parents", "yours car".
_POSSESSIVE_FOR = {
    "you": "your",
    "them": "their",
    "me": "my",
    "yours": "your",
    "theirs": "their",
    # A subject pronoun cannot stand before a noun at all: "saw he brother", "they books".
    "he": "his",
    "she": "her",
    "they": "their",
}
_SUBJECT_PRONOUNS = frozenset({"he", "she", "they"})
# Words after "for you", "with them" that are not a noun it could own.
_NOT_OWNED = lx.words(
    """
    people guys folks all both lot yesterday today tonight tomorrow now too again instead
    alone first last together anyway though
    """
)


def _pronoun_for_possessive(pronoun: P) -> list[Candidate]:
    doc = pronoun.doc
    if pronoun.i + 1 >= pronoun.sent.end or pronoun.i == pronoun.sent.start:
        return []
    noun, before = doc[pronoun.i + 1], doc[pronoun.i - 1]
    if not noun.is_alpha or noun.lower_ in _NOT_OWNED or noun.text[:1].isupper():
        return []
    lemma = noun.lemma_.lower()
    if lemma in _TIME_UNITS or lemma in lx.PAST_MARKER_UNITS or lemma in _PERIODS:
        return []  # "for you today", "with them last week"
    if pronoun.lower_ in _SUBJECT_PRONOUNS:
        # Read from the word, not its tag: the parser can make the noun a verb ("saw he brother").
        # Only a word that can be nothing but a noun: "he cooks", "they house guests" not.
        if noun.pos_ not in ("NOUN", "VERB") or set(morph.lemmas(noun.lower_)) != {"NOUN"}:
            return []  # the lexicon also has "or" and "such" as nouns: "he or she"
    elif pronoun.lower_ in ("you", "them", "me"):
        # After a preposition the pronoun is its object, so a noun right after it is owned:
        # "for you letter", "than them songs". After a verb it may be a first object
        # ("give them money").
        if before.tag_ != "IN" or before.lower_ in ("like", "as", "that", "if"):
            return []
        if noun.tag_ not in ("NN", "NNS"):
            return []
        # "me" has no such reading to fear ("with me friends"); "you" and "them" keep to count
        # nouns, where "for you information" cannot be a slip of "for your".
        if pronoun.lower_ != "me" and not _countable(lemma):
            return []
        nxt = doc[noun.i + 1] if noun.i + 1 < len(doc) else None
        if nxt is not None and nxt.tag_ in ("VBZ", "VBP", "VBD", "MD"):
            return []  # "for you, cars are ...": the noun starts a new clause
    else:
        if noun.pos_ not in ("NOUN", "VERB") or not morph.is_noun(noun.text):
            return []
        if morph.is_adverb(noun.text):
            return []  # "yours sincerely"
    want = _POSSESSIVE_FOR[pronoun.lower_]
    return [_replace(pronoun, noun, f"{pronoun.lower_} + noun", pronoun, want, "PRP$")]


def _demonstrative_number(det: P) -> list[Candidate]:
    """ "this shoes", "that books": a singular demonstrative before a plural noun."""
    before = det.doc[det.i - 1] if det.i > det.sent.start else None
    if det.lower_ == "that" and before is not None and before.lemma_.lower() in _REPORTING:
        return []  # "we realise that countries ...": the conjunction, misread as a determiner
    noun = det.head
    if noun.tag_ != "NNS" or noun.i <= det.i or noun.i - det.i > 3:
        return []
    if any(t.tag_ not in ("JJ", "RB") for t in det.doc[det.i + 1 : noun.i]):
        return []  # "this energy causes ...": a noun in between, the plural may be a verb
    after = det.doc[noun.i + 1] if noun.i + 1 < len(det.doc) else None
    if after is not None and (after.tag_ in ("DT", "CD", "PRP", "PRP$") or after.pos_ == "VERB"):
        return []  # "this links two issues": a verb misread as a plural noun
    lemma = noun.lemma_.lower()
    if noun.lower_ == lemma or not noun.lower_.endswith("s") or lemma in _EITHER_NUMBER:
        return []
    if lemma in lx.INVARIANT_NOUNS or noun.text[:1].isupper():
        return []
    nxt = noun.doc[noun.i + 1] if noun.i + 1 < len(noun.doc) else None
    if nxt is not None and (nxt.pos_ in ("NOUN", "PROPN") or nxt.lower_ in ("'s", "-")):
        return []  # "this sports club": the plural is a modifier
    if any(t.tag_ == "CD" for t in noun.doc[det.i + 1 : noun.i]):
        return []  # "that 3 hours"
    want = "these" if det.lower_ == "this" else "those"
    return [_swap(det, noun, f"{det.lower_} + plural", det, want)]


# Nouns naming a part of something, which take "the" before "of": "in the middle of".
# Not "front", "top", "back", "inside", "outside": "in front of", "on top of" are idioms.
_PART_NOUNS = lx.words("middle end beginning bottom centre center rest edge start surface")


def _part_without_the(noun: P) -> list[Candidate]:
    """ "in middle of the city", "at end of the day": a part noun before "of" with no
    determiner takes "the"."""
    doc = noun.doc
    nxt = doc[noun.i + 1] if noun.i + 1 < len(doc) else None
    before = doc[noun.i - 1] if noun.i > noun.sent.start else None
    if nxt is None or nxt.lower_ != "of" or before is None:
        return []
    if before.tag_ not in ("IN", "VB", "VBD", "VBP", "VBZ", "VBG") or before.lower_ in ("of", "by"):
        return []  # "the end of" has its article; "by end of day" is a set phrase
    if any(c.dep_ in ("det", "poss", "amod", "compound", "nummod") for c in noun.children):
        return []
    if noun.text[:1].isupper():
        return []
    article = "the"
    return [
        Candidate(
            before,
            noun,
            f"no article: {noun.lower_} of",
            (noun.idx, noun.idx, f"{article} "),
            lambda t: t.dep_ == "det" and t.lower_ == "the",
        )
    ]


# Names of countries said with "the": "in United States", "to USA".
_THE_COUNTRIES = frozenset({"usa", "uk", "uae", "netherlands", "philippines"})
_UNITED = frozenset({"states", "kingdom", "arab"})
# Words before "lot of" that already make it a phrase: "the whole lot of", "a parking lot".
_LOT_OWNERS = lx.words("a the this that whole entire parking my your his her our their its")


def _insert(first: P, last: P, key: str, before: P, article: str) -> Candidate:
    """A candidate whose fix puts `article` before the word `before`."""
    opening = before.i == before.sent.start
    new = (article.capitalize() + " " + before.lower_) if opening else f"{article} {before.text}"

    def expect(t: P) -> bool:
        return t.lower_ == article

    return Candidate(first, last, key, (before.idx, before.idx + len(before.text), new), expect)


def _fixed_phrase_candidates(sent: Span) -> list[Candidate]:
    """Set phrases whose article learners leave out: "lot of" (a lot of), "on other hand"
    (on the other hand), "all time" (all the time), "in United States" (the United States).
    Each is a fixed phrase, so the fix is certain."""
    found: list[Candidate] = []
    doc = sent.doc
    for token in sent:
        before = doc[token.i - 1] if token.i > sent.start else None
        after = doc[token.i + 1] if token.i + 1 < sent.end else None
        low = token.lower_
        if low == "lot" and after is not None and after.lower_ == "of":
            if before is None or (before.lower_ not in _LOT_OWNERS and before.pos_ != "ADJ"):
                found.append(_insert(token, after, "no article: lot of", token, "a"))
        elif low in ("one", "other") and before is not None and before.lower_ == "on":
            if after is not None and after.lower_ == "hand":
                found.append(_insert(before, after, f"no article: on {low} hand", token, "the"))
        elif low == "all" and after is not None and after.lower_ == "time":
            beyond = doc[after.i + 1] if after.i + 1 < sent.end else None
            # "of all time" is right; "at all time" wants "at all times", not an article.
            if (before is None or before.lower_ not in ("of", "at", "-")) and (
                beyond is None or (beyond.pos_ not in ("NOUN", "ADJ") and beyond.text != "-")
            ):
                found.append(_insert(token, after, "no article: all time", after, "the"))
        elif before is not None and before.pos_ == "ADP" and before.lower_ != "of":
            name = (low in _THE_COUNTRIES and token.text.isupper()) or low == "netherlands"
            united = (
                low == "united"
                and after is not None
                and after.lower_ in _UNITED
                and after.dep_ != "compound"  # "United States universities": a modifier
            )
            if (name and token.dep_ != "compound") or united:
                found.append(_insert(before, token, f"no article: {low}", token, "the"))
    return found


def _same_without_the(same: P) -> list[Candidate]:
    """ "my bag is same as yours", "they look same": "same" standing alone wants "the" (before
    a noun, the noun's own rule asks for it)."""
    if (
        same.dep_ not in ("acomp", "attr", "oprd", "dobj", "advmod", "pobj")
        or same.i == same.sent.start
    ):
        return []
    before = same.doc[same.i - 1]
    if before.tag_ in _DET_TAGS or before.lower_ in ("all", "much"):
        return []  # "the same", "this same", "all the same"
    first = before if before.pos_ in ("AUX", "VERB", "ADP", "ADV") else same
    return [_insert(first, same, "no article: same", same, "the")]


def _such_without_a(such: P) -> list[Candidate]:
    """ "such problem", "such good idea": "such" before a singular count noun needs a/an."""
    doc = such.doc
    i = such.i + 1
    while i < such.sent.end and doc[i].tag_ in ("JJ", "RB") and doc[i].lower_ not in ("as",):
        i += 1
    if i >= such.sent.end or i - such.i > 3:
        return []
    noun = doc[i]
    if noun.tag_ != "NN" or not _countable(noun.lemma_.lower()):
        return []
    nxt = doc[noun.i + 1] if noun.i + 1 < len(doc) else None
    if nxt is not None and nxt.tag_ in ("NN", "NNS"):
        return []  # "such college students": the head noun comes later
    first = doc[such.i + 1]
    article = indefinite_article(first.text)
    return [
        Candidate(
            such,
            noun,
            f"such + {noun.lower_}",
            (first.idx, first.idx, f"{article} "),
            lambda t: t.dep_ == "det" and t.lower_ in ("a", "an"),
        )
    ]


# Beginnings whose sound the spelling tells: "a useful", "a usual", "a European", "a one-off",
# "an hour", "an honest" ("uni-" does not: "a unit", "an unimportant").
_SOUND_KNOWN = ("use", "usu", "eu", "one", "once", "hour", "honest", "honour", "honor")


def _wrong_indefinite(article: P) -> list[Candidate]:
    """ "a apple", "an car": the article does not match the sound of the next word."""
    nxt = article.doc[article.i + 1] if article.i + 1 < len(article.doc) else None
    if nxt is None or not nxt.is_alpha or nxt.is_upper or len(nxt.text) < 2:
        return []
    if nxt.pos_ not in ("NOUN", "ADJ", "ADV") or not morph.is_known(nxt.text):
        return []
    want = indefinite_article(nxt.text)
    if want == article.lower_:
        return []
    if nxt.lower_.startswith(("u", "h", "eu", "o")) and not nxt.lower_.startswith(_SOUND_KNOWN):
        return []  # "a university", "an unusual", "a hotel": sound, not spelling, decides
    if nxt.lemma_.lower() in lx.UNCOUNTABLE_NOUNS:
        return []  # "a advice" wants no article at all: the number rule names it
    return [
        Candidate(
            article,
            nxt,
            f"{article.lower_} + {nxt.lower_[:1]}",
            (article.idx, article.idx + len(article.text), _match_case(want, article.text)),
            lambda t: t.lower_ in ("a", "an"),
        )
    ]


def article_omission(doc: Doc) -> Detection | None:
    return _finish(doc, "grammar.article_omission", _article_candidates)
