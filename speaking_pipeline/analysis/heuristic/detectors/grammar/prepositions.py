"""grammar.preposition: wrong or missing prepositions after verbs, adjectives and nouns."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from speaking_pipeline.analysis.heuristic import lexicons as lx
from speaking_pipeline.analysis.heuristic import morphology as morph
from speaking_pipeline.analysis.heuristic.detectors.grammar.countability import _NUMBERS
from speaking_pipeline.analysis.heuristic.detectors.grammar.syntax import (
    _IRREGULAR_PLURALS,
    _PERIODS,
    _POSSESSIVES,
    _children,
)
from speaking_pipeline.analysis.heuristic.findings import Detection, Hit
from speaking_pipeline.analysis.heuristic.text import Doc, Token

if TYPE_CHECKING:
    from spacy.tokens import Token as P

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
    ("related", "ADJ", ("with",), "related to"),
    ("superior", "ADJ", ("than",), "superior to"),
    ("inferior", "ADJ", ("than",), "inferior to"),
    ("committed", "ADJ", ("with",), "committed to"),
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
# Collocations whose head word is also common in another part of speech ("the lack of" is
# right, "they lack of" is not): the parse must give the head this part of speech.
_TAGGED_COLLOCATIONS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("dream", "VERB", ("with", "in", "on"), "dream of / dream about"),
    ("assist", "VERB", ("to",), "attend (no preposition)"),
    ("contact", "VERB", ("with", "to"), "contact (no preposition)"),
    ("laugh", "VERB", ("of",), "laugh at"),
    ("protect", "VERB", ("of",), "protect from"),
    ("worry", "VERB", ("of",), "worry about"),
    ("comment", "VERB", ("about",), "comment on"),
    ("congratulate", "VERB", ("for",), "congratulate on"),
    ("divide", "VERB", ("in",), "divide into"),
    ("lack", "VERB", ("of",), "lack (no preposition)"),
    ("invest", "VERB", ("on",), "invest in"),
    ("specialise", "VERB", ("on",), "specialise in"),
    ("specialize", "VERB", ("on",), "specialize in"),
    ("believe", "VERB", ("on",), "believe in"),
    ("count", "VERB", ("with",), "count on"),
    ("explain", "VERB", ("about",), "explain (no preposition)"),
    ("describe", "VERB", ("about",), "describe (no preposition)"),
    ("request", "VERB", ("for",), "request (no preposition)"),
    ("approach", "VERB", ("to",), "approach (no preposition)"),
    ("access", "VERB", ("to",), "access (no preposition)"),
    ("resemble", "VERB", ("to", "with"), "resemble (no preposition)"),
    ("accompany", "VERB", ("with",), "accompany (no preposition)"),
    ("obey", "VERB", ("to",), "obey (no preposition)"),
    ("visit", "VERB", ("to",), "visit (no preposition)"),
    ("phone", "VERB", ("to",), "phone (no preposition)"),
    ("tell", "VERB", ("to",), "tell someone (no preposition)"),
    ("join", "VERB", ("to",), "join (no preposition)"),
    ("attend", "VERB", ("at", "in"), "attend (no preposition)"),
    ("answer", "VERB", ("to", "at"), "answer (no preposition)"),
    ("excited", "ADJ", ("with",), "excited about"),
    ("worried", "ADJ", ("of",), "worried about"),
    ("jealous", "ADJ", ("on", "from"), "jealous of"),
    ("ashamed", "ADJ", ("for", "from"), "ashamed of"),
    ("surprised", "ADJ", ("for", "of"), "surprised at / surprised by"),
    ("disappointed", "ADJ", ("from", "of"), "disappointed with / disappointed by"),
    ("pleased", "ADJ", ("of", "from"), "pleased with"),
    ("crazy", "ADJ", ("of", "for"), "crazy about"),
    ("close", "ADJ", ("of",), "close to"),
    ("rich", "ADJ", ("of",), "rich in"),
    ("dependent", "ADJ", ("of", "from"), "dependent on"),
    ("involved", "ADJ", ("on",), "involved in"),
    ("good", "ADJ", ("on",), "good at"),
    ("bad", "ADJ", ("on",), "bad at"),
    ("interest", "NOUN", ("for", "about"), "interest in"),
    ("access", "NOUN", ("at", "for"), "access to"),
    ("damage", "NOUN", ("for", "at"), "damage to"),
    ("addiction", "NOUN", ("of", "on", "with"), "addiction to"),
    ("contribution", "NOUN", ("in",), "contribution to"),
    ("dependence", "NOUN", ("of", "from"), "dependence on"),
    ("example", "NOUN", ("for",), "an example of"),
    ("cause", "NOUN", ("for",), "the cause of"),
    ("married", "VERB", ("with",), "married to"),
    ("smile", "VERB", ("to",), "smile at"),
    ("think", "VERB", ("at",), "think about / think of"),
    ("impact", "NOUN", ("over",), "an impact on"),
)
_FIXED: tuple[tuple[tuple[str, ...], str], ...] = (
    (("for", "the", "other", "hand"), "on the other hand"),
    (("at", "the", "other", "hand"), "on the other hand"),
    (("by", "the", "other", "hand"), "on the other hand"),
    (("in", "my", "point", "of", "view"), "from my point of view"),
    (("on", "my", "point", "of", "view"), "from my point of view"),
    (("in", "the", "other", "side"), "on the other side"),
    (("on", "the", "beginning"), "at the beginning"),
    (("at", "the", "first", "time"), "for the first time"),
    (("in", "the", "first", "time"), "the first time / at first"),
    (("at", "tv"), "on TV"),
    (("on", "my", "free", "time"), "in my free time"),
    (("on", "my", "spare", "time"), "in my spare time"),
    (("at", "my", "free", "time"), "in my free time"),
    (("at", "my", "spare", "time"), "in my spare time"),
    (("by", "example"), "for example"),
    (("in", "contrary"), "on the contrary"),
    (("since", "long", "time"), "for a long time"),
    (("since", "a", "long", "time"), "for a long time"),
    (("in", "the", "party"), "at the party"),
    (("for", "my", "opinion"), "in my opinion"),
    (("to", "my", "opinion"), "in my opinion"),
    (("at", "my", "opinion"), "in my opinion"),
    (("in", "christmas"), "at Christmas"),
    (("in", "love", "of"), "in love with"),
    (("forward", "for"), "look forward to"),
    (("take", "part", "of"), "take part in"),
    (("takes", "part", "of"), "take part in"),
    (("took", "part", "of"), "take part in"),
    (("taking", "part", "of"), "take part in"),
    (("pay", "attention", "on"), "pay attention to"),
    (("pay", "attention", "at"), "pay attention to"),
    (("paid", "attention", "on"), "pay attention to"),
    (("paying", "attention", "on"), "pay attention to"),
    (("go", "to", "shopping"), "go shopping"),
    (("went", "to", "shopping"), "went shopping"),
    (("going", "to", "shopping"), "going shopping"),
    (("go", "to", "swimming"), "go swimming"),
    (("went", "to", "swimming"), "went swimming"),
    (("go", "to", "fishing"), "go fishing"),
    (("went", "to", "fishing"), "went fishing"),
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
    (("returned", "back"), "returned"),
    (("returns", "back"), "returns"),
    (("returning", "back"), "returning"),
    (("return", "to", "home"), "return home"),
    (("back", "to", "home"), "back home"),
    *(
        (("in", "the", floor, "floor"), f"on the {floor} floor")
        for floor in ("ground", "first", "second", "third", "fourth", "fifth", "top")
    ),
    (("returned", "to", "home"), "returned home"),
    (("returning", "to", "home"), "returning home"),
    (("going", "to", "home"), "going home"),
    (("coming", "to", "home"), "coming home"),
    (("way", "to", "home"), "way home"),
    (("get", "to", "home"), "get home"),
    (("got", "to", "home"), "got home"),
    (("in", "the", "beach"), "on the beach"),
    (("in", "the", "end", "of"), "at the end of"),
    (("in", "the", "bus"), "on the bus"),
    (("in", "the", "train"), "on the train"),
    (("in", "the", "plane"), "on the plane"),
    (("in", "the", "beginning", "of"), "at the beginning of"),
    (("in", "the", "screen"), "on the screen"),
    (("in", "my", "computer"), "on my computer"),
    (("in", "the", "computer"), "on the computer"),
    (("in", "my", "phone"), "on my phone"),
    (("in", "weekdays"), "on weekdays"),
    (("in", "my", "way", "to"), "on my way to"),
    (("in", "case", "if"), "in case (no 'if')"),
    *(
        (("because", "of", subject), f"because {subject}")
        for subject in ("i", "we", "they", "he", "she")
    ),
    (("alongside", "with"), "alongside (no 'with')"),
    (("despite", "of"), "despite (no 'of') / in spite of"),
    (("worth", "of", "it"), "worth it"),
    *((("worth", "of", owner), f"worth {owner}") for owner in ("my", "your", "our", "their")),
    *((("all", "of", number), f"all {number}") for number in ("two", "three", "four", "five")),
)
_DAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
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
def _fixed_index() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """Fixed phrases by their first word, so each token is compared with a handful only."""
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for phrase, right in _FIXED:
        index.setdefault(phrase[0], []).append((phrase, right))
    return index


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


@lru_cache(maxsize=1)
def _tagged_index() -> dict[str, list[tuple[str, tuple[str, ...], str]]]:
    """Every inflected form of a head word -> (part of speech, wrong prepositions, fix)."""
    index: dict[str, list[tuple[str, tuple[str, ...], str]]] = {}
    for lemma, pos, wrong, right in _TAGGED_COLLOCATIONS:
        forms = {lemma}
        if pos == "VERB":
            for tag in ("VBZ", "VBD", "VBG", "VBN", "VBP"):
                form = morph.inflect(lemma, tag)
                if form:
                    forms.add(form)
        elif pos == "NOUN":
            plural = morph.inflect(lemma, "NNS")
            if plural:
                forms.add(plural)
        for form in forms:
            index.setdefault(form, []).append((pos, wrong, right))
    return index


def _parsed_token(doc: Doc, token: Token) -> P | None:
    span = doc.parsed.char_span(token.start, token.end, alignment_mode="expand")
    return span[0] if span is not None and len(span) else None


def _parsed_pos(doc: Doc, token: Token) -> str | None:
    parsed = _parsed_token(doc, token)
    if parsed is None:
        return None
    pos = parsed.pos_
    if pos == "AUX":
        return "VERB"
    if pos == "VERB" and parsed.tag_ == "VBN":
        return "ADJ" if parsed.dep_ in ("acomp", "amod", "oprd") else "VERB"
    return pos


def _tagged_collocations(doc: Doc, token: Token, after: Token) -> list[Hit]:
    found: list[Hit] = []
    for pos, wrong, right in _tagged_index().get(token.norm, ()):
        if after.norm not in wrong:
            continue
        parsed = _parsed_pos(doc, token)
        if parsed != pos and not (pos == "ADJ" and parsed == "VERB" and token.norm.endswith("ed")):
            continue
        found.append(Hit(token.index, after.index, f"{token.norm} {after.norm}", right))
    return found


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
        hits += _tagged_collocations(doc, token, after)
        hits += _missing_preposition(doc, token, after) or _of_phrases(doc, token, after)
        for phrase, right in _fixed_index().get(token.norm, ()):
            if doc.norms(token.index, len(phrase)) == phrase:
                last = token.index + len(phrase) - 1
                if doc.tokens[last].sentence == token.sentence:
                    hits.append(Hit(token.index, last, " ".join(phrase), right))
        hits += _time_prepositions(doc, token, after)
        hits += _adding_a_point(doc, token, after)
        hits += _chosen_prepositions(doc, token, after)
    hits = [h for h in hits if _attached(doc, h)]
    unique: dict[int, Hit] = {}
    for hit in hits:
        unique.setdefault(hit.first, hit)
    ordered = sorted(unique.values(), key=lambda h: h.first)
    return Detection("grammar.preposition", ordered) if ordered else None


def _adding_a_point(doc: Doc, token: Token, after: Token) -> list[Hit]:
    """ "Beside this, ...", "apart of that": opening a clause to add a point, it is "besides"
    and "apart from" ("beside the river" is a place; "feel apart of it" is "a part")."""
    opening = token.index == 0 or token.comma_before
    if not opening or after.sentence != token.sentence:
        return []
    if token.norm == "beside" and after.norm in ("this", "that") and after.comma_after:
        return [Hit(token.index, after.index, "beside this,", f"{token.text}s {after.text}")]
    if token.norm == "apart" and after.norm == "of":
        return [Hit(token.index, after.index, "apart of", f"{token.text} from")]
    return []


def _attached(doc: Doc, hit: Hit) -> bool:
    """The parse agrees that the preposition belongs to the head word ("depend of it", not
    "independent of it" read across a phrase boundary)."""
    if hit.last != hit.first + 1:
        return True
    head_token, prep_token = doc.tokens[hit.first], doc.tokens[hit.last]
    parsed = doc.parsed.char_span(head_token.start, prep_token.end, alignment_mode="expand")
    if parsed is None or len(parsed) < 2:
        return True
    head, prep = parsed[0], parsed[-1]
    if head is None or prep is None or prep.pos_ != "ADP":
        return True
    return prep.head.i == head.i or head.head.i == prep.i


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


# Verbs that reach a person through "to": "reply to me", never "reply me".
_TO_A_PERSON = lx.words("reply listen apologise apologize")


def _left_out(token: Token, after: Token, key: str, preposition: str) -> list[Hit]:
    """A hit on two words with the preposition put back between them."""
    return [Hit(token.index, after.index, key, f"{token.text} {preposition} {after.text}")]


def _missing_preposition(doc: Doc, token: Token, after: Token) -> list[Hit]:
    lemma = morph.verb_lemma(token.norm)
    if lemma == "listen" and after.norm not in _LISTEN_OK_NEXT:
        is_object = (
            after.norm in _PREP_OBJECT
            or after.norm in _LISTEN_OBJECTS
            or (morph.is_noun(after.norm) and not morph.is_adverb(after.norm))
        )
        if is_object:
            return _left_out(token, after, "listen + object", "to")
    if lemma == "explain" and after.norm in ("me", "him", "her", "us", "them"):
        return _left_out(token, after, "explain + person", "to")
    if lemma in _TO_A_PERSON and after.norm in ("me", "him", "us", "them"):
        return _left_out(token, after, f"{lemma} + person", "to")
    if lemma == "say" and after.norm in ("me", "him", "us", "them"):
        # "she said me": "said to me", or "told me".
        return _left_out(token, after, "say + person", "to")
    if lemma == "pay" and after.norm not in _PAY_OK_NEXT and _paid_for(doc, token) is not None:
        return _left_out(token, after, "pay + thing bought", "for")
    if lemma in ("arrive", "apply") and after.norm not in _ARRIVE_OK_NEXT:
        obj = _direct_object(doc, token)
        if obj is not None and _place_or_post(lemma, obj):
            return _left_out(
                token, after, f"{lemma} + object", "at / in" if lemma == "arrive" else "for"
            )
    depending = token.norm == "depending" and after.norm not in ("on", "upon", ",")
    if depending and _parsed_pos(doc, after) in ("DET", "PRON", "NOUN", "ADJ"):
        return _left_out(token, after, "depending + noun", "on")
    if lemma == "search" and _sought(doc, after):
        return _left_out(token, after, "search + what is sought", "for")
    if lemma == "wait" and after.norm in _PREP_OBJECT | {"you"} and after.norm != "a":
        nxt = doc.next(after)
        # "wait you know", "wait you will see" in speech without commas: "you" starts a
        # clause of its own when a verb follows it.
        aside = after.norm == "you" and (
            nxt is None
            or nxt.norm in _YOU_ASIDES
            or nxt.norm in morph.MODALS
            or morph.is_base_verb(nxt.norm)
        )
        if (nxt is None or nxt.norm not in _WAIT_OK) and not aside:
            return _left_out(token, after, "wait + object", "for")
    return []


_YOU_ASIDES = lx.words("know see guys mean think are have were")


# What is paid itself ("pay the bill", "pay me"), so "for" is not missing before it.
_PAID_ITSELF = lx.words(
    """
    money bill bills rent fee fees tax taxes price prices cost costs attention visit visits
    compliment compliments salary salaries wage wages debt debts fine fines amount sum
    respect tribute interest penalty cash deposit mortgage dollar dollars euro euros pound
    pounds cent cents dividend dividends premium premiums charge charges invoice invoices
    way ransom bribe share half rest total tuition dues toll tolls homage heed lip lot lots
    little much more less fortune bit
    """
)
# Who is paid: people by their work (most end like "driver", "tutor", "dentist").
_PAID_PAYEES = lx.words(
    """
    staff employee worker bank company government people shop store hotel school state
    council firm agency guide nanny maid person customer client player artist
    """
)
_PAYEE_ENDINGS = ("er", "or", "ist", "ian", "ess")
_PAY_OK_NEXT = lx.words("for off back up out in into to by with attention")


def _paid_for(doc: Doc, pay: Token) -> P | None:
    """The thing bought when "pay" takes it as its object ("pay the ticket" for "pay for
    the ticket"): a noun that is not itself a sum, a charge or a person."""
    verb = _parsed_token(doc, pay)
    if verb is None or verb.pos_ != "VERB":
        return None
    for obj in _children(verb, "dobj"):
        if obj.i != verb.i + 1 and not all(
            t.dep_ in ("det", "poss", "amod", "compound") for t in verb.doc[verb.i + 1 : obj.i]
        ):
            continue
        lemma = obj.lemma_.lower()
        if obj.pos_ != "NOUN" or lemma in _PAID_ITSELF or obj.lower_ in _PAID_ITSELF:
            return None
        if any(t.tag_ == "CD" or t.lower_ in ("$", "€", "£") for t in obj.subtree):
            return None  # "pay 20 euros", "pay a 5 pound deposit"
        if lemma in lx.PERSON_NOUNS or lemma in _PAID_PAYEES or lemma.endswith(_PAYEE_ENDINGS):
            return None  # "pay the driver", "pay the bank"
        return obj
    return None


_ARRIVE_OK_NEXT = lx.words("home here there back late early on at in to safely today soon")
# What one applies for: "apply the cream" is right, "apply the job" is not.
_POSTS = lx.words(
    "job position post course scholarship visa place programme program internship vacancy"
)
# A length of time after "arrive" is how late or early: "arrived a day late".
_ARRIVE_TIMES = lx.words("day week hour minute month year moment bit little lot few while")


def _direct_object(doc: Doc, verb_token: Token) -> P | None:
    verb = _parsed_token(doc, verb_token)
    if verb is None or verb.pos_ != "VERB":
        return None
    return next(iter(_children(verb, "dobj")), None)


def _place_or_post(lemma: str, obj: P) -> bool:
    """ "arrived the station": a place reached; "apply the job": a post applied for."""
    noun = obj.lemma_.lower()
    if obj.pos_ not in ("NOUN", "PROPN") or obj.tag_ == "CD":
        return False
    if lemma == "apply":
        return noun in _POSTS or any(c.lemma_.lower() in _POSTS for c in obj.children)
    return noun not in _ARRIVE_TIMES and not any(c.tag_ == "CD" for c in obj.children)


# What one searches for, never searches through: people and things looked for.
_SOUGHT = lx.words(
    """
    me him her us them family friend friends parents mother father brother sister son
    daughter children child kids wife husband dog cat job jobs work information answer
    answers solution solutions parking help advice
    """
)


def _sought(doc: Doc, after: Token) -> bool:
    """ "we searched my brother", "search them", "search information": the object is what is
    looked for ("search for"); "search the house" (where one looks) is right."""
    if after.norm in _SOUGHT:
        return after.norm not in ("her",) or _parsed_pos(doc, after) == "PRON"
    if after.norm not in _POSSESSIVES:
        return False
    nxt = doc.next(after)
    return nxt is not None and nxt.sentence == after.sentence and nxt.norm in _SOUGHT


_TAKE_FORMS = lx.words("take takes took taken taking")
# What may follow "take care" without "of": "take care!", "take care not to", "take care
# that ...", "take care when ...".
_CARE_OK_NEXT = lx.words("of not that to when while if and or about with because so")
_COUNTING = lx.words("many most several few")


def _of_phrases(doc: Doc, token: Token, after: Token) -> list[Hit]:
    """ "instead doing", "a lot beautiful houses", "take care the garden", "because the
    weather" (no verb follows), "in spite all": "of" left out; "many of tourists": "of" where
    no determiner follows."""
    if after.sentence != token.sentence or after.comma_before:
        return []
    low, nxt = token.norm, after.norm
    parsed = _parsed_token(doc, after)
    if parsed is None:
        return []
    previous = doc.tokens[token.index - 1].norm if token.index > 0 else ""
    fix = f"{token.text} of {after.text}"
    if low == "instead" and nxt != "of":
        gerund = parsed.tag_ == "VBG"
        noun = parsed.tag_ in ("NN", "NNS") and parsed.dep_ not in ("nsubj", "nsubjpass")
        if gerund or noun:
            return [Hit(token.index, after.index, "instead + noun", fix)]
    elif low == "lot" and nxt != "of" and previous == "a":
        if parsed.pos_ == "NOUN" or (
            parsed.pos_ == "ADJ" and parsed.tag_ == "JJ" and parsed.head.pos_ == "NOUN"
        ):
            return [Hit(token.index - 1, after.index, "a lot + noun", f"a {fix}")]
    elif low == "care" and nxt not in _CARE_OK_NEXT and previous in _TAKE_FORMS:
        if parsed.pos_ in ("DET", "NOUN", "PRON", "PROPN") and parsed.tag_ != "WDT":
            take_word = doc.tokens[token.index - 1].text
            return [Hit(token.index - 1, after.index, "take care + object", f"{take_word} {fix}")]
    elif low == "spite" and nxt != "of" and previous == "in":
        in_word = doc.tokens[token.index - 1].text
        return [Hit(token.index - 1, after.index, "in spite + noun", f"{in_word} {fix}")]
    elif low == "because" and nxt != "of" and _verbless_after(doc, token):
        return [Hit(token.index, after.index, "because + noun", fix)]
    elif (
        low in _PERCENT and (parsed.tag_ == "NNS" or nxt == "people") and _after_number(doc, token)
    ):
        return [Hit(token.index, after.index, "percent + noun", fix)]
    elif low == "level" and nxt in _LANGUAGES:
        return [Hit(token.index, after.index, "level + language", fix)]
    elif low in _COUNTING and nxt == "of":
        counted = doc.next(after)
        if counted is not None and counted.sentence == token.sentence:
            word = _parsed_token(doc, counted)
            plural = word is not None and (
                word.lower_ in _IRREGULAR_PLURALS
                or (word.tag_ == "NNS" and word.lower_ != word.lemma_.lower())
            )
            if plural:
                right = f"{token.text} {counted.text}"
                return [Hit(token.index, counted.index, f"{low} of + plural", right)]
    return []


_PERCENT = lx.words("percent per cent %")
_NUMBER_WORDS = frozenset(_NUMBERS) | lx.words("twenty thirty forty fifty hundred half few")
_LANGUAGES = lx.words(
    "english french spanish german italian chinese japanese russian arabic portuguese korean"
)


def _after_number(doc: Doc, token: Token) -> bool:
    """ "85 percent": "per cent" counts as one word."""
    before = doc.tokens[token.index - 1] if token.index > 0 else None
    if before is not None and before.norm == "per" and token.norm == "cent" and token.index > 1:
        before = doc.tokens[token.index - 2]
    return before is not None and (before.norm[:1].isdigit() or before.norm in _NUMBER_WORDS)


def _verbless_after(doc: Doc, because: Token) -> bool:
    """The words after "because" up to the next punctuation hold a noun and no verb:
    "because the calories, ..." wants "because of"."""
    start = _parsed_token(doc, because)
    if start is None:
        return False
    sent = start.sent
    seen_noun = False
    for t in sent.doc[start.i + 1 : sent.end]:
        if t.is_punct:
            break
        if t.pos_ in ("VERB", "AUX") or t.tag_ in ("MD", "TO"):
            return False
        seen_noun = seen_noun or t.pos_ in ("NOUN", "PROPN", "PRON")
    return seen_noun


_MONTHS = lx.words(
    "january february march april june july august september october november december"
)
_SEASONS = lx.words("summer winter spring autumn")
_CLOCK = lx.words("o'clock oclock am pm a.m. p.m.")
_STOPS = lx.PREPOSITIONS | lx.words("every each and or but because")
_TRANSPORT = lx.words("bus car train plane taxi bike bicycle metro subway tube coach boat ship")
# Verbs that take their person directly: "ask him", not "ask to him".
_DIRECT_PERSON = lx.words("ask tell call phone answer contact invite thank marry")
_PERSONS = lx.words("me him her us them")


_DAY_PARTS = lx.words("morning afternoon evening")
_PARTICULAR_DAY = lx.words("of before after when that")
# Verbs of getting something done: "until" a time says how long, "by" it says the deadline.
_COMPLETING = lx.words("finish complete submit deliver send return hand")


def _completed(doc: Doc, until: Token) -> bool:
    """ "I will finish it until Friday": the preposition belongs to a verb of completing."""
    parsed = _parsed_token(doc, until)
    return (
        parsed is not None
        and parsed.dep_ == "prep"
        and parsed.head.lemma_.lower() in _COMPLETING
        and not _children(parsed.head, "neg")
    )


_DAY_OF_MONTH = re.compile(r"[1-9]|[12]\d|3[01]")


def _day_number(doc: Doc, token: Token | None) -> Token | None:
    """The last word of a day of the month starting at `token` ("5", "5 th"), or None."""
    if token is None or not _DAY_OF_MONTH.fullmatch(token.norm):
        return None
    suffix = doc.next(token)
    if suffix is not None and suffix.norm in ("st", "nd", "rd", "th") and not suffix.gap_before:
        return suffix
    return token


def _date_after(doc: Doc, first: Token) -> Token | None:
    """The last word of a date that starts at `first` ("5 May", "May 5th", "the 5th of May"),
    which takes "on" as a day does; None when none starts there ("May 2015" is a month, and
    in "June 5 people came" the number counts people)."""
    months = _MONTHS | {"may"}  # beside a day number "may" is the month
    day = _day_number(doc, first)
    if day is not None:
        month = doc.next(day)
        return month if month is not None and month.norm in months else None
    if first.norm in months:
        day = _day_number(doc, doc.next(first))
        counted = doc.next(day) if day is not None else None
        if day is not None and (counted is None or not morph.is_noun(counted.norm)):
            return day
        return None
    if first.norm == "the":
        day = _day_number(doc, doc.next(first))
        of = doc.next(day) if day is not None else None
        month = doc.next(of) if of is not None else None
        if of is not None and month is not None and of.norm == "of" and month.norm in months:
            return month
    return None


def _time_prepositions(doc: Doc, token: Token, after: Token) -> list[Hit]:
    norm = token.norm
    following = doc.next(after)
    number = after.norm.isdigit() or after.norm in lx.NUMBER_WORDS
    if norm in ("in", "at") and after.norm in _DAYS:
        return [Hit(token.index, after.index, f"{norm} + day", f"on {after.text}")]
    dated = following is not None and following.norm[:1].isdigit()  # "on January 5"
    if norm in ("on", "at") and after.norm in _MONTHS and not dated:
        return [Hit(token.index, after.index, f"{norm} + month", f"in {after.text}")]
    date = _date_after(doc, after) if norm in ("in", "at") else None
    if date is not None:
        fix = "on " + doc.quote(after.index, date.index)
        return [Hit(token.index, date.index, f"{norm} + date", fix)]
    if norm in ("in", "on") and number and following is not None and following.norm in _CLOCK:
        fix = f"at {after.text} {following.text}"
        return [Hit(token.index, following.index, f"{norm} + clock time", fix)]
    # "at summer camp" is right: the season must not modify a noun.
    modifier = following is not None and not after.comma_after and morph.is_noun(following.norm)
    if norm in ("at", "on") and after.norm in _SEASONS and not modifier:
        return [Hit(token.index, after.index, f"{norm} + season", f"in {after.text}")]
    vehicle = modifier and following is not None and following.norm not in _STOPS
    if norm == "with" and after.norm in _TRANSPORT and not vehicle:
        return [Hit(token.index, after.index, "with + transport", f"by {after.text}")]
    # "I live here from three years": a length of time takes "for" ("from 9 to 5" is right).
    span = set(doc.norms(after.index + 1, 3))
    lasting = following is not None and following.norm in _PERIODS
    if (
        norm == "from"
        and number
        and lasting
        and following is not None
        and not ({"to", "until", "till"} & span)
    ):
        fix = f"for {after.text} {following.text}"
        return [Hit(token.index, following.index, "from + period", fix)]
    lemma = morph.verb_lemma(norm)
    person = following is not None and following.norm in _PERSONS and after.norm == "to"
    if person and following is not None and lemma in _DIRECT_PERSON and not after.comma_after:
        fix = f"{token.text} {following.text}"
        return [Hit(token.index, following.index, f"{lemma} to + person", fix)]
    agreed = lemma == "agree" and after.norm == "to"
    if agreed and following is not None and following.norm in _PERSONS | {"you"}:
        fix = f"{token.text} with {following.text}"
        return [Hit(token.index, following.index, "agree to + person", fix)]
    # "on the morning" is a part of the day as "in the morning"; "on the morning of the
    # wedding", "on the evening before" name one particular day and are right.
    part = following is not None and following.norm in _DAY_PARTS
    if norm == "on" and after.norm == "the" and part and following is not None:
        beyond = doc.next(following)
        if beyond is None or beyond.norm not in _PARTICULAR_DAY:
            fix = f"in the {following.text}"
            return [Hit(token.index, following.index, "on + part of the day", fix)]
    if norm in ("until", "till") and _completed(doc, token):
        return [Hit(token.index, token.index, f"{norm} + deadline", "by")]
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


# Adjectives that judge a task from someone's side: "hard for me", not "hard to me" ("close
# to me", "kind to me", "important to me" say something else and are left alone).
_FOR_A_PERSON = lx.words("difficult hard easy impossible possible necessary perfect problem")
_PERSONS = lx.words(
    """
    me you him her us them someone somebody everyone everybody anyone anybody people person
    students children kids learners beginners
    """
)
# Nouns and verbs that sit "in the world" ("the biggest country in the world"); others are
# "on the world" by their own sense ("an impact on the world", "a view on the world").
_IN_THE_WORLD = lx.words(
    """
    be exist live country city place person people man woman thing language animal company
    team player building river mountain sport
    """
)
_MONEY = lx.words("money amount fortune cash dollar euro pound salary budget saving savings")
_SPENT_ON = lx.words("it them this that these those")


def _superlative(noun: P) -> bool:
    """ "the biggest city", "the most important thing"."""
    for adjective in _children(noun, "amod"):
        if adjective.tag_ == "JJS" or any(
            c.lower_ in ("most", "least") for c in _children(adjective, "advmod")
        ):
            return True
    return noun.tag_ == "JJS"


def _chosen_prepositions(doc: Doc, token: Token, after: Token) -> list[Hit]:
    """Prepositions chosen by the words around them, read off the parse: "hard to me" (for),
    "preparing to the exam" (for), "the biggest city of the world" / "countries on the
    world" (in), "a smile in her face" (on), "spent a lot of money in it" (on)."""
    if after.sentence != token.sentence or token.comma_after:
        return []
    prep = _parsed_token(doc, after)
    if prep is None or prep.pos_ != "ADP" or prep.dep_ != "prep":
        return []
    objects = _children(prep, "pobj", "pcomp")
    obj = objects[0] if objects else None
    if obj is None or obj.i <= prep.i:
        return []
    head, low, nxt = prep.head, token.norm, after.norm
    key = f"{low} {nxt}"
    next_to_head = head.i == prep.i - 1
    for_a_person = low in _FOR_A_PERSON and head.pos_ in ("ADJ", "NOUN") and obj.lower_ in _PERSONS
    prepare_for = head.lemma_.lower() == "prepare" and obj.pos_ == "NOUN"
    if nxt == "to" and next_to_head and (for_a_person or prepare_for):
        return [Hit(token.index, after.index, key, f"{token.text} for")]
    world = obj.lower_ == "world" and any(c.lower_ == "the" for c in _children(obj, "det"))
    nouns_after = obj.i + 1 < len(obj.doc) and obj.doc[obj.i + 1].tag_ in ("NN", "NNS", "POS")
    if world and not nouns_after and next_to_head:
        superlative = _superlative(head)
        if (nxt == "of" and superlative) or (
            nxt == "on" and (superlative or head.lemma_.lower() in _IN_THE_WORLD)
        ):
            return [Hit(token.index, after.index, key, f"{token.text} in")]
    # The parse often hangs these "in" phrases on the verb, so the hit runs to the object
    # and the fix rewrites all of it.
    last_index = after.index + obj.i - prep.i
    if last_index >= len(doc.tokens) or doc.tokens[last_index].norm != obj.lower_:
        return []
    last = doc.tokens[last_index]
    span = doc.quote(after.index + 1, last.index)
    smile = prep.nbor(-1).lemma_.lower() in ("smile", "grin")
    if nxt == "in" and smile and obj.lower_ == "face" and _children(obj, "poss"):
        return [Hit(token.index, last.index, key, f"{token.text} on {span}")]
    if nxt == "in" and (obj.lower_ in _SPENT_ON or obj.tag_ == "VBG"):
        spend = head if head.pos_ == "VERB" else head.head
        money = [c for c in _children(spend, "dobj") if c.lemma_.lower() in _MONEY | {"lot"}]
        if spend.lemma_.lower() == "spend" and money and money[-1].i < prep.i:
            return [Hit(token.index, last.index, key, f"{token.text} on {span}")]
    return []
