"""Grammar detectors over spaCy's parse: articles, agreement, past tense, prepositions, plurals.

Each rule reads tags, morphology and the dependency tree of en_core_web_sm, so it finds the
error in any words rather than in a list of phrases. A suggested fix is applied to its sentence
and parsed again: it is kept only when the new parse has the intended form and the rule no
longer fires there. Otherwise the hit is reported without a fix (the pattern is named, nothing
is invented).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from speaking_pipeline.analysis.heuristic import lexicons as lx
from speaking_pipeline.analysis.heuristic import morphology as morph
from speaking_pipeline.analysis.heuristic.detectors.common import indefinite_article
from speaking_pipeline.analysis.heuristic.findings import Detection, Hit
from speaking_pipeline.analysis.heuristic.text import Doc, Token

if TYPE_CHECKING:
    from spacy.tokens import Span
    from spacy.tokens import Token as P


@dataclass(frozen=True)
class Candidate:
    """A possible error: the words it covers and, when one is known, a fix to check."""

    first: P
    last: P
    key: str
    # Character range of the sentence text to replace, and what to put there.
    replace: tuple[int, int, str] | None = None
    # The replaced words must parse like this (e.g. tag VBD) for the fix to stand.
    expect: Callable[[P], bool] | None = None
    confident: bool = True
    note: str | None = None  # shown instead of a fix when the rule names the pattern only


SentenceRule = Callable[[Doc, "Span"], list[Candidate]]


def _finish(doc: Doc, code: str, rule: SentenceRule) -> Detection | None:
    """Run a rule on every sentence and turn its candidates into hits. Fixes are checked by
    re-parsing only when the detection is settled (see Detection.settle): re-parsing costs
    as much as the first parse, and most one-off candidates are never shown."""
    kept: dict[int, tuple[Candidate, int, int]] = {}
    for sent in doc.parsed.sents:
        for candidate in rule(doc, sent):
            first, last = doc.index_of(candidate.first), doc.index_of(candidate.last)
            if first is None or last is None or last < first:
                continue
            kept.setdefault(first, (candidate, first, last))
    if not kept:
        return None
    ordered = [kept[i] for i in sorted(kept)]

    def checks(detection: Detection) -> list[Candidate]:
        # Only the fixes of hits still present: another code may have claimed some.
        present = {h.first for h in detection.hits}
        return [c for c, first, _ in ordered if c.replace is not None and first in present]

    def fix_texts(detection: Detection) -> list[str]:
        return _fix_texts(doc, checks(detection))[0]

    def settle(detection: Detection) -> None:
        verified = _verify(doc, checks(detection), rule)
        hits = []
        present = {h.first for h in detection.hits}
        for candidate, first, last in ordered:
            if first not in present:
                continue
            fixed = verified.get(id(candidate), False)
            correction = _corrected_quote(doc, first, last, candidate) if fixed else candidate.note
            confident = candidate.confident and (candidate.replace is None or fixed)
            hits.append(Hit(first, last, candidate.key, correction, confident=confident))
        detection.hits = hits

    hits = [Hit(f, last, c.key, c.note, confident=c.confident) for c, f, last in ordered]
    return Detection(code, hits, settle_fixes=settle, fix_texts=fix_texts)


def _corrected_quote(doc: Doc, first: int, last: int, candidate: Candidate) -> str:
    assert candidate.replace is not None
    start, end = doc.tokens[first].start, doc.tokens[last].end
    lo, hi, new = candidate.replace
    lo, hi = max(lo, start), min(hi, end) if hi > lo else lo
    return (doc.text[start:lo] + new + doc.text[hi:end]).strip()


def _fix_texts(doc: Doc, candidates: list[Candidate]) -> tuple[list[str], list[tuple[int, int]]]:
    """Each candidate's sentence with its fix applied, and where the fix sits in that text."""
    texts: list[str] = []
    ranges: list[tuple[int, int]] = []
    for c in candidates:
        assert c.replace is not None
        sent = c.first.sent
        lo, hi, new = c.replace
        start = sent.start_char
        text = doc.text[start:lo] + new + doc.text[hi : sent.end_char]
        texts.append(text)
        ranges.append((lo - start, lo - start + len(new)))
    return texts, ranges


def _verify(doc: Doc, candidates: list[Candidate], rule: SentenceRule) -> dict[int, bool]:
    """The candidates whose fix parses as intended and silences the rule at that place."""
    if not candidates:
        return {}
    texts, ranges = _fix_texts(doc, candidates)
    ok: dict[int, bool] = {}
    # Parsed in one batch with the other detections' fixes when settled together.
    for c, (lo, hi), fixed in zip(candidates, ranges, doc.reparse(texts), strict=True):
        changed = [t for t in fixed if t.idx < hi and t.idx + len(t.text) > lo and t.text.strip()]
        if not changed or (c.expect is not None and not any(c.expect(t) for t in changed)):
            continue
        still = [
            d
            for sent in fixed.sents
            for d in rule(doc, sent)
            if d.first.idx <= hi and d.last.idx + len(d.last.text) >= lo
        ]
        if not still:
            ok[id(c)] = True
    return ok


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


# --- grammar.subject_verb_agreement -----------------------------------------------------------

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
    news politics economics physics mathematics maths athletics means
    """
)
_CAUSATIVES = frozenset({"let", "make", "help", "have", "see", "watch", "hear", "feel", "bid"})
_SUBJUNCTIVE_MARKS = frozenset({"if", "though", "unless", "whether"})
_SUBJUNCTIVE_HEADS = frozenset({"wish", "suppose", "imagine", "pretend", "rather"})


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
        return "pl"
    if subject.tag_ == "PRP":
        before = subject.doc[subject.i - 1] if subject.i > subject.sent.start else None
        if before is not None and before.pos_ == "ADP":
            return None  # "the best way for you is ...": a misread object
        return {"i": "1", "you": "2", "he": "3sg", "she": "3sg", "it": "3sg"}.get(low) or (
            "pl" if low in ("we", "they") else None
        )
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
    """The noun is a thing rather than an amount or a kind, so "of ..." does not decide."""
    lemma = noun.lemma_.lower()
    if lemma in ("group", "kind", "sort", "type", "lot", "pair", "piece", "bit"):
        return False
    return lemma in lx.COUNT_NOUNS or morph.countability(lemma) == "count"


def _be_form(number: str, past: bool) -> str:
    if past:
        return "was" if number in ("1", "3sg") else "were"
    return {"1": "am", "3sg": "is"}.get(number, "are")


def _agreeing_form(verb: P, number: str) -> str | None:
    """The form the verb should have with this subject, or None when it already agrees."""
    low, tag, lemma = verb.lower_, verb.tag_, verb.lemma_.lower()
    if lemma == "be":
        if low in ("is", "am", "are"):
            want = _be_form(number, past=False)
        elif low in ("was", "were"):
            want = _be_form(number, past=True)
        else:
            return None
        return None if want == low else want
    if tag == "VBZ":
        if number == "3sg":
            return None
        return "have" if lemma == "have" else lemma if lemma.isalpha() else None
    if tag in ("VBP", "VB"):
        if number != "3sg":
            return None
        return morph.inflect(lemma, "VBZ")
    return None


def _agreement_candidates(doc: Doc, sent: Span) -> list[Candidate]:
    found: list[Candidate] = (
        _modal_third_person(sent) + _verbless_like(sent) + _causative_complement(sent)
    )
    for verb in sent:
        if verb.tag_ not in ("VBZ", "VBP", "VB", "VBD") or verb.text.startswith("'"):
            continue
        if verb.tag_ == "VBD" and verb.lower_ not in ("was", "were"):
            continue
        if not morph.is_known(verb.text) or (
            verb.dep_ not in ("aux", "auxpass") and _children(verb, "aux", "auxpass")
        ):
            continue
        if (
            verb.tag_ in ("VBP", "VB")
            and verb.dep_ not in ("aux", "auxpass")
            and _past_context(doc, verb)
        ):
            continue  # "then she get angry" in a story is a tense slip: past_tense reports it
        subject = _subject_of(verb)
        gerund = None if subject is not None else _gerund_subject(verb)
        subject = subject or gerund
        borrowed = subject is None
        # "he works and live ...", "my cousins cook and washes up": the second verb shares
        # the first one's subject.
        # The parse tags a bare second verb VB as often as VBP ("owns a car and use it").
        shares_subject = verb.dep_ == "conj" and (verb.head.tag_, verb.tag_) in _DISAGREEING_PAIR
        if subject is None and shares_subject and _bare_coordinated(verb):
            subject = _subject_of(verb.head)
        if subject is None and verb.lemma_.lower() == "be":
            found += _there_is_plural(verb)
            continue
        if subject is None or subject.i > verb.i or verb.i - subject.i > 6:
            continue
        if not borrowed and _misread_subject(subject, verb):
            continue
        if verb.tag_ == "VB" and not (borrowed or _plain_finite(verb)):
            continue
        auxiliary = verb.tag_ in ("VBP", "VB") and verb.dep_ in ("aux", "auxpass")
        if auxiliary and verb.lemma_.lower() not in ("do", "have", "be"):
            continue
        if verb.lower_ == "were" and _subjunctive(verb):
            continue
        number = "3sg" if gerund is not None else _number(subject, verb)
        if number is None or not (morph.is_known(subject.text) or _children(subject, "conj")):
            continue
        want = _agreeing_form(verb, number)
        if want is None:
            continue
        first, last = _span_of(subject, verb) if verb.i - subject.i <= 3 else (verb, verb)
        end = verb.idx + len(verb.text)
        tag = "VBZ" if number == "3sg" else "VBP"
        wanted: str = want

        def expect(t: P, tag: str = tag, wanted: str = wanted) -> bool:
            return t.lower_ == wanted or t.tag_ == tag

        found.append(
            Candidate(
                first,
                last,
                f"{subject.lower_} + {verb.lower_}",
                (verb.idx, end, _match_case(want, verb.text)),
                expect,
                confident=subject.tag_ in ("PRP", "DT") or bool(_children(subject, "det", "poss")),
            )
        )
    return found


_MAKE_LET_HELP = lx.words("make let help")


def _causative_complement(sent: Span) -> list[Candidate]:
    """ "it makes the story sounds real", "let him goes": after make/let/help + object the
    verb is bare, not agreeing with the object ("makes the story sound")."""
    found: list[Candidate] = []
    for verb in sent:
        head = verb.head
        # The -s form can be tagged a plural noun ("penetrates"); its own subject shows a verb.
        third = verb.tag_ == "VBZ" or (verb.tag_ == "NNS" and morph.is_third_person(verb.lower_))
        if not third or verb.dep_ not in ("ccomp", "xcomp") or head.i > verb.i:
            continue
        if head.lemma_.lower() not in _MAKE_LET_HELP or head.pos_ != "VERB":
            continue
        subject = _subject_of(verb)
        if subject is None or not head.i < subject.i < verb.i or verb.i - head.i > 5:
            continue
        if _children(verb, "mark", "aux") or verb.lemma_.lower() == "be":
            continue  # "make sure that it is", "help the ones who is": not the bare verb
        if any(
            t.pos_ in ("ADJ", "SCONJ") or t.tag_ in ("WDT", "WP")
            for t in sent.doc[head.i + 1 : subject.i]
        ):
            continue  # "make sure it works", "make clear he knows"
        base = morph.base_of(verb.lower_)
        if base is None or base == verb.lower_:
            continue
        found.append(
            Candidate(
                head,
                verb,
                f"{head.lemma_.lower()} + object + {verb.lower_}",
                (verb.idx, verb.idx + len(verb.text), _match_case(base, verb.text)),
                lambda t: t.tag_ == "VB",
            )
        )
    return found


def _gerund_subject(verb: P) -> P | None:
    """ "Reading books make me happy": a gerund clause as the subject counts as one thing
    (not two joined by "and": "swimming and running are")."""
    if verb.dep_ in ("aux", "auxpass"):
        return None
    for child in verb.children:
        if child.dep_ != "csubj" or child.tag_ != "VBG" or child.i > verb.i:
            continue
        before = child.doc[child.i - 1] if child.i > child.sent.start else None
        if child.left_edge.i != child.i or _children(child, "conj"):
            return None
        if before is not None and (before.pos_ in ("ADJ", "DET") or before.tag_ in _DET_TAGS):
            return None  # "most attending students": an adjective, misread as a gerund
        return child
    return None


# (first verb, second verb) tags that disagree when the second shares the first's subject.
_DISAGREEING_PAIR = frozenset({("VBZ", "VBP"), ("VBZ", "VB"), ("VBP", "VBZ")})


def _bare_coordinated(verb: P) -> bool:
    """A second verb that has no subject, auxiliary or "to" of its own, linked by "and" or
    "or" right before it, so it shares the first verb's subject: "he owns a car and use it"
    (not "he wants to stay and help", not "he likes it, use it")."""
    if _children(verb, "aux", "auxpass", "nsubj", "nsubjpass", "mark", "expl"):
        return False
    before = verb.doc[verb.i - 1] if verb.i > 0 else None
    return (
        before is not None
        and before.lower_ in ("and", "or")
        and verb.head.i < verb.i
        and not _children(verb.head, "xcomp", "aux", "auxpass")
    )


def _modal_third_person(sent: Span) -> list[Candidate]:
    """ "It can gives", "she will makes": after a modal the verb is bare, whatever the
    subject. The modal may be one adverb away ("can also gives")."""
    found: list[Candidate] = []
    for verb in sent:
        if verb.tag_ != "VBZ" or verb.pos_ != "VERB" or not verb.lower_.endswith("s"):
            continue
        modal = next((c for c in _children(verb, "aux") if c.tag_ == "MD" and c.i < verb.i), None)
        if modal is None or verb.i - modal.i > 2 or not morph.is_known(verb.text):
            continue
        if any(t.pos_ != "ADV" for t in verb.doc[modal.i + 1 : verb.i]):
            continue
        lemma = verb.lemma_.lower()
        if not lemma.isalpha() or morph.inflect(lemma, "VBZ") != verb.lower_:
            continue
        found.append(_replace(modal, verb, f"{modal.lower_} + {verb.lower_}", verb, lemma, "VB"))
    return found


# "It like a dream" lacks "is", and "a house like mine" is a fragment: only people, and nouns
# with a possessive ("my brother like"), are read as the subject of a missing "likes".
_LIKE_SUBJECTS = frozenset({"he", "she"})
_POSSESSIVES = frozenset({"my", "your", "his", "her", "our", "their"})


def _verbless_like(sent: Span) -> list[Candidate]:
    """ "My brother like football": the parse reads a bare "like" after a singular subject
    as a preposition when the sentence has no other verb, so the verb-based rule never
    sees it. Only at the start of a sentence with no verb at all."""
    if any(t.pos_ in ("VERB", "AUX") for t in sent):
        return []
    like = next((t for t in sent if t.lower_ == "like" and t.tag_ == "IN"), None)
    if like is None or like.i - sent.start > 4 or like.i + 1 >= sent.end:
        return []
    subject = like.doc[like.i - 1]
    words = like.doc[sent.start : like.i]
    pronoun = subject.lower_ in _LIKE_SUBJECTS and len(words) == 1
    noun = (
        subject.tag_ == "NN"
        and subject.dep_ == "ROOT"
        and words[0].lower_ in _POSSESSIVES
        and all(t.dep_ in ("poss", "amod", "compound") for t in words[:-1])
        and _noun_number(subject) == "3sg"
    )
    if not (pronoun or noun):
        return []
    obj = like.doc[like.i + 1]
    if obj.pos_ not in ("NOUN", "PROPN", "PRON", "VERB") and obj.tag_ not in ("DT", "PRP$"):
        return []
    return [_replace(subject, like, f"{subject.lower_} + like", like, "likes", "VBZ")]


def _there_is_plural(verb: P) -> list[Candidate]:
    """ "There is many reasons": the noun after the verb decides its number."""
    expl = next((c for c in verb.children if c.dep_ == "expl" and c.i < verb.i), None)
    attr = next((c for c in verb.children if c.dep_ == "attr" and c.i > verb.i), None)
    if expl is None or attr is None or verb.lower_ not in ("is", "was", "are", "were"):
        return []
    if verb.lower_ in ("are", "were"):
        return _there_are_singular(expl, verb, attr)
    counted = any(
        c.lower_ in _PLURAL_QUANTIFIERS
        or c.lower_ == "no"
        or (c.dep_ == "nummod" and (_count(c) or 0) > 1)
        for c in attr.children
    )
    # A regular plural right after the verb shows the number too: "there is problems".
    bare_plural = (
        attr.i == verb.i + 1
        and attr.lower_.endswith("s")
        and attr.lower_ != attr.lemma_.lower()
        and attr.lemma_.lower() not in _EITHER_NUMBER
    )
    if attr.tag_ != "NNS" or not (counted or bare_plural) or _children(attr, "conj"):
        return []
    want = "are" if verb.lower_ == "is" else "were"
    return [
        Candidate(
            expl,
            attr,
            f"there {verb.lower_} + plural",
            (verb.idx, verb.idx + len(verb.text), want),
            lambda t: t.lower_ == want,
        )
    ]


def _misread_subject(subject: P, verb: P) -> bool:
    """Signs that the parse paired words that do not belong together, so their number says
    nothing: a verb or a comma between them ("they hope to prove science is"), an "and"
    the parse left out of the subject ("the school and the church is"), a subject that is
    the object of the verb before it ("call you soon, thanks"), or a capital in mid-sentence
    where a full stop is missing ("Best wishes Anna Does ...")."""
    doc = subject.doc
    start = subject.left_edge.i
    between = doc[subject.i + 1 : verb.i]
    if any(t.pos_ in ("VERB", "AUX") or t.text in (",", ";", ":", "(", "-") for t in between):
        return True
    # An "and" before a pronoun starts a new clause ("and he teach us"), not a subject.
    reach = start if subject.tag_ in ("PRP", "DT") else start - 2
    # An "and" inside the subject's own "of" phrase is fine: "the benefits of A and B is".
    inner = {t.i for p in _children(subject, "prep") for t in p.subtree}
    if not _children(subject, "conj") and any(
        t.lower_ in ("and", "or", "&") and t.i not in inner
        for t in doc[max(verb.sent.start, reach) : verb.i]
    ):
        return True
    before = doc[start - 1] if start > verb.sent.start else None
    if (
        before is not None
        and before.pos_ == "VERB"
        and before.dep_ not in ("aux", "auxpass")
        and subject.lower_ in ("you", "it")
    ):
        return True
    if verb.i != verb.sent.start and verb.text[:1].isupper() and verb.lower_ != "i":
        return True
    if (
        subject.tag_ == "NNS"
        and not _children(subject, "det", "poss", "nummod")
        and any(c.dep_ == "attr" and c.tag_ == "NN" for c in verb.children)
    ):
        return True  # "Elections is a hard topic": a plural naming a subject, not a number
    first = doc[start]
    if (
        subject.tag_ == "NNS"
        and first.i < subject.i
        and first.lower_.endswith("ing")
        and morph.verb_lemma(first.lower_) is not None
        and not _children(subject, "det", "poss", "nummod")
    ):
        return True  # "Learning languages is useful": the gerund is the subject, not the plural
    return subject.lower_ in ("thanks", "yours")


def _there_are_singular(expl: P, verb: P, attr: P) -> list[Candidate]:
    """ "There are a problem": a singular noun with a/an or "one" after a plural verb."""
    article = next(
        (c for c in attr.children if c.dep_ == "det" and c.lower_ in ("a", "an", "one")), None
    )
    if attr.tag_ != "NN" or article is None or _children(attr, "conj"):
        return []
    if attr.lemma_.lower() in _EITHER_NUMBER or any(
        t.lower_ in ("couple", "few", "lot", "little") for t in attr.subtree
    ):
        return []  # "there are a lot of", "there are a couple of", "there are a few jobs"
    if any(c.dep_ == "prep" and c.lower_ == "of" for c in attr.children):
        return []
    want = "is" if verb.lower_ == "are" else "was"
    return [
        Candidate(
            expl,
            attr,
            f"there {verb.lower_} + singular",
            (verb.idx, verb.idx + len(verb.text), want),
            lambda t: t.lower_ == want,
        )
    ]


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


def _subjunctive(verb: P) -> bool:
    clause = verb.head if verb.dep_ in ("aux", "auxpass") else verb
    marks = {m.lower_ for m in _children(clause, "mark")}
    return bool(marks & _SUBJUNCTIVE_MARKS) or clause.head.lemma_.lower() in _SUBJUNCTIVE_HEADS


def subject_verb_agreement(doc: Doc) -> Detection | None:
    return _finish(doc, "grammar.subject_verb_agreement", _agreement_candidates)


# --- grammar.past_tense -----------------------------------------------------------------------

_PAST_UNITS = lx.PAST_MARKER_UNITS | {"day", "morning", "evening", "afternoon", "years", "days"}
_PRESENT_CUES = lx.PRESENT_MARKERS | lx.words(
    "every always often sometimes never normally generally still nowadays currently recently"
    " once twice"
)
# Verbs of states and of thinking: "Last year I moved here, and I live in the centre" and
# "I went there, I think" are right, so these need their own past time marker.
_STATES = lx.DISCOURSE_VERBS | lx.words(
    """
    be have live work own belong seem look sound contain include exist depend cost mean matter
    consist deserve resemble weigh involve require fit suit lack
    """
)


def _past_marker(verb: P) -> bool:
    """The verb's own clause says the time is past: yesterday, last week, two years ago, or a
    'when I was young' clause attached to it."""
    for child in verb.children:
        low = child.lower_
        if child.dep_ in ("npadvmod", "advmod", "tmod") and low == "yesterday":
            return True
        if child.dep_ in ("npadvmod", "advmod", "tmod") and low == "ago":
            return True
        if any(g.lower_ == "ago" for g in child.subtree) and child.dep_ in ("advmod", "npadvmod"):
            return True
        unit = child.dep_ in ("npadvmod", "tmod") and child.lemma_.lower() in _PAST_UNITS
        if unit and any(g.lower_ == "last" for g in child.children):
            return True
        if child.dep_ == "prep" and low in ("in", "during", "on"):
            for g in child.children:
                if g.dep_ == "pobj" and any(m.lower_ == "last" for m in g.children):
                    return True
        if child.dep_ == "advcl" and child.tag_ == "VBD":
            marks = {m.lower_ for m in _children(child, "mark", "advmod")}
            if marks & {"when", "while", "after", "before", "as", "once"}:
                return True
    return False


def _finite_past(token: P) -> bool:
    return token.tag_ == "VBD" and token.dep_ not in ("amod", "acl") and token.lower_ != "did"


def _told_in_present(verb: P) -> bool:
    """The verb's sentence has no simple past and another present verb of its own ("it is
    ideal for anyone who want ..."), whatever the time frame around it."""
    others = [t for t in verb.sent if t.i != verb.i and t.dep_ not in ("amod", "acl")]
    if any(_finite_past(t) for t in others):
        return False
    return any(t.tag_ in ("VBZ", "VBP") and _subject_of(t) is not None for t in others)


def _past_context(doc: Doc, verb: P) -> bool:
    """The verb sits in a stretch told in the past: a past time frame is open (see
    _past_frames) and its own sentence is not told in the present, or its sentence has more
    simple past verbs than present ones and a neighbouring sentence is led by one too (or the
    sentence holds two)."""
    sent = verb.sent
    if sent.doc is doc.parsed and sent.start in _past_frames(doc):
        return not _told_in_present(verb)
    here = [t for t in sent if _finite_past(t) and t.i != verb.i]
    if not here:
        return False
    if sum(1 for t in sent if t.tag_ in ("VBZ", "VBP") and t.i != verb.i) >= len(here):
        return False
    previous, following = _neighbour_roots(sent)
    return len(here) >= 2 or previous is not None or following is not None


_FRAME_CLOSERS = lx.PRESENT_MARKERS | lx.words("next nowadays these future generally")


def _past_frames(doc: Doc) -> frozenset[int]:
    """Starts of the sentences told inside a past time frame: "Last winter I go ..." opens
    one; it stays open until a sentence speaks of now, the future or habits."""
    memo = doc.memo.get("past_frames")
    if isinstance(memo, frozenset):
        return memo
    starts: set[int] = set()
    open_frame = False
    for sent in doc.parsed.sents:
        words = {t.lower_ for t in sent}
        if words & _FRAME_CLOSERS or any(t.tag_ == "MD" for t in sent) or _this_period(sent):
            open_frame = False
        if _sentence_past_marker(sent):
            open_frame = True
        if open_frame:
            starts.add(sent.start)
    result = frozenset(starts)
    doc.memo["past_frames"] = result
    return result


# "This year I'm trying ...": a period of the speaker's present. ("This morning" is often
# past, so only longer periods count; "every summer" is a habit of the past as often as of
# now: "When I was a child, every summer we went ...".)
_PRESENT_PERIODS = lx.words("year week month semester term season")


def _this_period(sent: Span) -> bool:
    doc = sent.doc
    return any(
        t.lower_ == "this" and t.i + 1 < sent.end and doc[t.i + 1].lower_ in _PRESENT_PERIODS
        for t in sent
    )


def _bare_third_person(verb: P) -> bool:
    """'she get', 'my dad die': a bare form after a singular subject."""
    if verb.tag_ not in ("VBP", "VB") or verb.dep_ in ("aux", "auxpass", "xcomp"):
        return False
    if verb.tag_ == "VB" and not _plain_finite(verb):
        return False
    subject = _subject_of(verb)
    return subject is not None and subject.i < verb.i and _number(subject, verb) == "3sg"


def _sentence_past_marker(sent: Span) -> bool:
    """The sentence names a past time anywhere (the parse of a learner's sentence can attach
    "Last winter" to the wrong word, so this reads the words): yesterday, last week, two years
    ago, when I was young."""
    words = [t.lower_ for t in sent]
    for i, word in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if word in ("yesterday", "ago", "childhood"):
            return True
        if word == "last" and nxt in _PAST_UNITS:
            return True
        if word in ("when", "as") and any(w in ("was", "were") for w in words[i + 1 : i + 4]):
            return True
        # A narrative's own time words: "that day", "the next morning", "in those days",
        # "three years later".
        if word == "that" and nxt in _NARRATIVE_UNITS and (i == 0 or words[i - 1] != "for"):
            return True
        after_the = i > 0 and words[i - 1] == "the"
        if word in ("next", "following") and after_the and nxt in _NARRATIVE_UNITS:
            return True
        if word == "those" and nxt in ("days", "years", "times"):
            return True
        if word == "later" and i > 0 and words[i - 1] in _NARRATIVE_UNITS | _PLURAL_UNITS:
            return True
    return False


_NARRATIVE_UNITS = lx.words("day night morning evening afternoon week weekend summer winter year")
_PLURAL_UNITS = lx.words("days weeks months years hours minutes")


def _present_verb(verb: P, past_time: bool = False) -> bool:
    """A present form with a subject of its own. `past_time`: the sentence names a past time,
    so habit words ("always", "every day") describe past habits and do not make it present."""
    if verb.dep_ == "aux" and verb.lemma_.lower() == "do" and verb.tag_ in ("VBP", "VBZ"):
        # "we don't go": the tense is on "do".
        return verb.head.tag_ == "VB" and _present_verb_clause(verb.head, past_time)
    if verb.tag_ not in ("VBP", "VBZ", "VB") or verb.dep_ in ("aux", "auxpass"):
        return False
    return _present_verb_clause(verb, past_time)


def _present_verb_clause(verb: P, past_time: bool = False) -> bool:
    if verb.tag_ == "VB" and not _plain_finite(verb) and not _do_support(verb):
        return False
    if verb.text.startswith("'") or (_children(verb, "aux", "auxpass") and not _do_support(verb)):
        return False
    subject = _subject_of(verb)
    if subject is None or subject.lower_ in ("you", "one", "there"):
        return False
    if not past_time and _counted_times(verb):
        return False  # "we meet three times a week"
    return not (_clause_words(verb) & (lx.PRESENT_MARKERS if past_time else _PRESENT_CUES))


def _counted_times(verb: P) -> bool:
    """A count of occasions ("three times", "many times"), not "in communist times"."""
    doc = verb.doc
    return any(
        t.lower_ == "times"
        and t.i > 0
        and (doc[t.i - 1].like_num or doc[t.i - 1].lower_ in ("many", "several", "few"))
        for t in verb.subtree
    )


def _personal_subject(verb: P) -> bool:
    """A narrator or a character ("we", "my cousin"), not "it" describing how things are."""
    subject = _subject_of(verb)
    if subject is None:
        return False
    if subject.tag_ == "PRP":
        return subject.lower_ in ("i", "we", "he", "she", "they")
    return subject.tag_ == "NNP" or subject.lemma_.lower() in lx.PERSON_NOUNS


def _do_support(verb: P) -> bool:
    auxes = _children(verb, "aux", "auxpass")
    return len(auxes) == 1 and auxes[0].lemma_.lower() == "do" and auxes[0].tag_ in ("VBP", "VBZ")


def _past_form(verb: P) -> str | None:
    low, lemma = verb.lower_, verb.lemma_.lower()
    if lemma == "be":
        return {"is": "was", "am": "was", "are": "were"}.get(low)
    if lemma == "do":
        return "did"
    if lemma == "have":
        return "had"
    return morph.inflect(lemma, "VBD")


STORY_MIN_PAST = 6
STORY_PAST_RATIO = 2.0


def _is_story(doc: Doc) -> bool:
    """The transcript tells a story: mostly simple past main verbs. Present forms in it are
    then slips unless something marks them as a comment ("I think", "you know")."""
    memo = doc.memo.get("story")
    if isinstance(memo, bool):
        return memo
    past = sum(1 for t in doc.parsed if _finite_past(t) and t.dep_ not in ("aux", "auxpass"))
    present = sum(
        1
        for t in doc.parsed
        if t.tag_ in ("VBZ", "VBP") and t.dep_ not in ("aux", "auxpass") and _subject_of(t)
    )
    story = past >= STORY_MIN_PAST and past >= STORY_PAST_RATIO * max(1, present)
    doc.memo["story"] = story
    return story


# The discourse anchor: a sentence is narrated in the past when the sentences around it
# (two either side, not the sentence itself, whose slips would count against it) hold at
# least NARRATED_MIN_PAST finite past verbs and NARRATED_RATIO times as many as present ones.
NARRATED_WINDOW = 2
NARRATED_MIN_PAST = 3
NARRATED_RATIO = 2.0
_PRESENT_MODALS = lx.words("will 'll wo can ca shall may must")
# Words that put a sentence in the speaker's present, whatever the story around it.
_NOW_CUES = lx.PRESENT_MARKERS | lx.words("nowadays these future generally recently")


_LITERARY = lx.words(
    "novel chapter author plot narrator protagonist reader scene poem satire book film movie"
)
# A habit of the speaker's present: "whenever a new colleague joins, I tell them".
_HABIT_CUES = _NOW_CUES | lx.words("whenever")


def _narrator_speaks(clause: P) -> bool:
    subject = _subject_of(clause)
    return subject is not None and subject.lower_ in ("i", "we")


def _about_a_work(doc: Doc) -> bool:
    """The transcript speaks of a book or a film, whose content is told in the present."""
    memo = doc.memo.get("literary")
    if isinstance(memo, bool):
        return memo
    literary = any(t.lemma_.lower() in _LITERARY for t in doc.parsed)
    doc.memo["literary"] = literary
    return literary


def _tense_counts(sent: Span) -> tuple[int, int]:
    """Finite past and present verbs of a sentence (auxiliaries and modals included, so "is
    going" counts once as present, "didn't go" once as past)."""
    past = present = 0
    for t in sent:
        if t.tag_ == "VBD" and t.dep_ not in ("amod", "acl"):
            past += 1
        elif t.tag_ in ("VBZ", "VBP") or (t.tag_ == "MD" and t.lower_ in _PRESENT_MODALS):
            present += 1
    return past, present


def _narrated(doc: Doc) -> frozenset[int]:
    """Starts of the sentences told inside a past narration, read from the tense of the
    sentences around them rather than from a time word: a story whose events are half in the
    present by mistake is still a story when its neighbours are in the past."""
    memo = doc.memo.get("narrated")
    if isinstance(memo, frozenset):
        return memo
    sents = list(doc.parsed.sents)
    counts = [_tense_counts(s) for s in sents]
    starts: set[int] = set()
    if _about_a_work(doc):
        # Writing about a book or a film tells its plot in the present, next to facts about
        # its author in the past: the present there is the historic present, not a slip.
        doc.memo["narrated"] = frozenset()
        return frozenset()
    for i, sent in enumerate(sents):
        window = [
            counts[j]
            for j in range(max(0, i - NARRATED_WINDOW), min(len(sents), i + NARRATED_WINDOW + 1))
            if j != i
        ]
        past = sum(p for p, _ in window)
        present = sum(q for _, q in window)
        if past < NARRATED_MIN_PAST or past < NARRATED_RATIO * present:
            continue
        if {t.lower_ for t in sent} & _NOW_CUES:
            continue  # "Now I live in Lyon": the speaker steps out of the story
        starts.add(sent.start)
    result = frozenset(starts)
    doc.memo["narrated"] = result
    return result


def _character_subject(verb: P) -> bool:
    """The narrator or a particular character: I/we/he/she/they, a name, or a person noun
    with a determiner ("my brother", "the boys"); not "people" or "children" in general."""
    subject = _subject_of(verb)
    if subject is None or subject.i > verb.i:
        return False
    if _children(subject, "conj"):
        return all(_character(t) for t in (subject, *_children(subject, "conj")))
    return _character(subject)


def _character(subject: P) -> bool:
    if subject.tag_ == "PRP":
        return subject.lower_ in ("i", "we", "he", "she", "they")
    if subject.tag_ == "NNP":
        return True
    return subject.lemma_.lower() in lx.PERSON_NOUNS | _STORY_PEOPLE and bool(
        _children(subject, "det", "poss")
    )


def _narrated_clause(clause: P, past_here: int, stative: bool, embedded: bool) -> bool:
    """A present verb inside a past narration that tells what happened (see _narrated): a
    main or adverbial clause whose subject is a character. States ("he is a great writer",
    "she loves her parents") count for a third person only, in a sentence that has a past
    verb of its own; the narrator's "I" and "we" also speak of the present ("I speak three
    languages", "I attach my CV"), so their verbs need a past verb in the sentence too."""
    if embedded or clause.dep_ not in ("ROOT", "conj", "advcl"):
        return False
    if not _character_subject(clause):
        return False
    subject = _subject_of(clause)
    assert subject is not None
    narrator = subject.lower_ in ("i", "we")
    if narrator and (clause.lemma_.lower() in _LETTER_VERBS or past_here == 0):
        return False
    if stative and (narrator or past_here == 0 or clause.lemma_.lower() in _COMMENT_VERBS):
        return False
    marks = {m.lower_ for m in _children(clause, "mark", "advmod")}
    if stative and "as" in marks:
        return False  # "I stayed with him, as he lives in Madrid": still true
    return not marks & {"how", "if", "unless", "whenever", "since"}


def _letter_act(clause: P) -> bool:
    """The writer's own present act or skill ("I attach my CV", "I speak German")."""
    return _narrator_speaks(clause) and clause.lemma_.lower() in _LETTER_VERBS


# What a letter does as it is written: "I attach my CV", "I enclose", "I hope".
_LETTER_VERBS = lx.words(
    """
    attach enclose send write apply hope wish recommend suggest invite thank inform confirm
    offer accept apologise apologize look consider speak use
    """
)
# States that comment on the story rather than tell it, even in the third person.
_COMMENT_VERBS = lx.words("think guess mean suppose bet seem")


_STORY_PEOPLE = lx.words("boy girl man woman guy lady king queen police officer everyone")


def _tense_candidates(doc: Doc, sent: Span) -> list[Candidate]:
    found: list[Candidate] = []
    if any(t.text in ('"', "“", "”") for t in sent):
        return found  # dialogue keeps its own tense
    past_here = sum(1 for t in sent if _finite_past(t) and t.dep_ not in ("aux", "auxpass"))
    marked = _sentence_past_marker(sent)
    presents = [t for t in sent if _present_verb(t, past_time=marked)]
    story = _is_story(doc)
    framed = sent.doc is doc.parsed and sent.start in _past_frames(doc)
    narrated = sent.doc is doc.parsed and sent.start in _narrated(doc)
    # The time of the story is not the time of a sentence that speaks of now or of a habit,
    # nor of what a book's author (anyone but the narrator) says in it.
    now_here = bool({t.lower_ for t in sent} & _HABIT_CUES) or _this_period(sent)
    literary = sent.doc is doc.parsed and _about_a_work(doc)
    for verb in presents:
        if not morph.is_known(verb.text) or _do_support(verb):
            continue  # a verb with "do" is judged through its "do"
        clause = verb.head if verb.dep_ == "aux" else verb
        lemma = clause.lemma_.lower()
        stative = lemma in _STATES
        confident = True
        embedded = clause.dep_ in ("ccomp", "xcomp", "csubj") or (
            clause.dep_ == "relcl" and not _bare_third_person(verb)
        )
        main = clause.dep_ in ("ROOT", "conj")
        if (
            _past_marker(clause)
            or (marked and main and not stative)
            or (_bare_third_person(verb) and _past_context(doc, verb))
        ):
            pass
        elif narrated and _narrated_clause(clause, past_here, stative, embedded):
            # A character's action among past events ("... so Tom and Huck hide"): the tense is
            # read from the sentences around, so the hit is not confident.
            confident = False
        elif stative or embedded:
            continue
        elif clause.dep_ == "conj" and clause.head.tag_ == "VBD":
            # "we booked a table and we eat there": the first verb sets the time.
            if _children(clause.head, "aux") or clause.head.dep_ in ("ccomp", "relcl", "xcomp"):
                continue
        elif (
            _personal_subject(clause)
            and not _letter_act(clause)
            and not now_here
            and not (literary and not _narrator_speaks(clause))
            and (
                (past_here >= 2 and len(presents) == 1)
                or (framed and (main or clause.dep_ == "advcl"))
                or (story and (main or clause.dep_ == "advcl"))
            )
        ):
            # Read from the time of the story, not of the clause: only for the narrator or a
            # character. "The virus spreads in winter" or "a chef uses salt" states how
            # things are, and a book's plot is told in the present.
            confident = False
        else:
            continue
        want = _past_form(verb)
        if want is None or want == verb.lower_:
            continue  # "last night I read it", "we put it": the past is spelt the same
        subject = _subject_of(verb)
        near = subject is not None and verb.i - subject.i <= 3
        found.append(_to_past(verb, want, first=subject if near else None, confident=confident))
    return found


def _to_past(verb: P, want: str, *, first: P | None = None, confident: bool = True) -> Candidate:
    """A present verb whose past form `want` the context asks for (its quote may start at
    the subject, `first`)."""
    return Candidate(
        first if first is not None else verb,
        verb,
        f"{verb.lower_} (past: {want})",
        (verb.idx, verb.idx + len(verb.text), _match_case(want, verb.text)),
        lambda t: t.tag_ == "VBD",
        confident=confident,
    )


def _neighbour_roots(sent: Span) -> tuple[P | None, P | None]:
    """The main verbs of the sentences before and after, when they are in the simple past."""
    doc = sent.doc
    before = doc[sent.start - 1].sent if sent.start > 0 else None
    after = doc[sent.end].sent if sent.end < len(doc) else None
    roots = []
    for other in (before, after):
        root = other.root if other is not None else None
        roots.append(root if root is not None and root.tag_ == "VBD" else None)
    return roots[0], roots[1]


def _past_form_candidates(sent: Span) -> list[Candidate]:
    """Past forms built wrongly: "buyed" for "bought", "didn't went" for "didn't go"."""
    found: list[Candidate] = []
    for verb in sent:
        if verb.pos_ not in ("VERB", "AUX"):
            continue
        right = morph.overregularised_past(verb.lower_)
        if right is not None:
            end = verb.idx + len(verb.text)
            found.append(
                Candidate(
                    verb,
                    verb,
                    f"{verb.lower_} (past: {right})",
                    (verb.idx, end, right),
                    lambda t: t.tag_ in ("VBD", "VBN"),
                )
            )
            continue
        if verb.tag_ == "VBD" and verb.lemma_.lower() != "be":
            did = next((a for a in _children(verb, "aux") if a.lower_ == "did"), None)
            if did is not None and did.i < verb.i and morph.is_known(verb.text):
                base = verb.lemma_.lower()
                end = verb.idx + len(verb.text)
                found.append(
                    Candidate(
                        did,
                        verb,
                        f"did + {verb.lower_}",
                        (verb.idx, end, base),
                        lambda t: t.tag_ == "VB",
                    )
                )
    return found


def _finished_time_candidates(sent: Span) -> list[Candidate]:
    """A perfect or a present progressive with a finished past time: "I have seen him
    yesterday" (-> "saw"), "two days ago I am going" (-> "was going"). Only when the verb's
    own clause names the time; never with "since/for",
    which the perfect needs, nor "going to" + verb, a future."""
    if any(t.text in ('"', "“", "”") for t in sent) or not _sentence_past_marker(sent):
        return []
    found: list[Candidate] = []
    for verb in sent:
        if verb.tag_ not in ("VBN", "VBG") or verb.dep_ not in ("ROOT", "conj"):
            continue
        auxes = _children(verb, "aux")
        if len(auxes) != 1 or _children(verb, "auxpass"):
            continue
        aux = auxes[0]
        if not _past_marker(verb):
            continue  # the time must be the verb's own: "I'm writing about last summer"
        if _clause_words(verb) & (lx.PRESENT_MARKERS | {"since", "just", "already", "ever"}):
            continue
        lasting = [
            g
            for p in _children(verb, "prep")
            if p.lower_ == "for"
            for g in p.children
            if g.lemma_.lower() in _PERIODS or g.lemma_.lower() in ("while", "time", "age")
        ]
        if lasting:
            continue  # "I have worked there for two years"
        if verb.tag_ == "VBN" and aux.lower_ in ("have", "has", "'ve") and aux.i == verb.i - 1:
            want = morph.inflect(verb.lemma_.lower(), "VBD")
            if want is None:
                continue
            found.append(
                Candidate(
                    aux,
                    verb,
                    f"{aux.lower_} {verb.lower_} (past: {want})",
                    (aux.idx, verb.idx + len(verb.text), _match_case(want, aux.text)),
                    lambda t: t.tag_ == "VBD",
                )
            )
        elif verb.tag_ == "VBG" and aux.lower_ in ("am", "is", "are", "'m", "'re"):
            nxt = verb.doc[verb.i + 1] if verb.i + 1 < len(verb.doc) else None
            if verb.lower_ == "going" and nxt is not None and nxt.lower_ == "to":
                after = verb.doc[nxt.i + 1] if nxt.i + 1 < len(verb.doc) else None
                if after is None or after.tag_ == "VB":
                    continue  # "going to see": a future
            subject = _subject_of(verb)
            if subject is None:
                continue
            was = "was" if aux.lower_ in ("am", "is", "'m") else "were"
            found.append(
                Candidate(
                    aux,
                    verb,
                    f"{aux.lower_} {verb.lower_} (past: {was})",
                    (
                        aux.idx,
                        aux.idx + len(aux.text),
                        was if not aux.text.startswith("'") else f" {was}",
                    ),
                    lambda t: t.lower_ in ("was", "were"),
                    confident=False,
                )
            )
    return found


def _shared_subject_candidates(sent: Span) -> list[Candidate]:
    """A verb with no subject of its own coordinated with a simple past one: "she got up and
    look around", "he went back and clean the kitchen". The first verb sets the time, and the
    second shares its subject, so it takes its tense too."""
    found: list[Candidate] = []
    for verb in sent:
        if verb.tag_ not in ("VB", "VBP", "VBZ") or verb.dep_ != "conj":
            continue
        head = verb.head
        if not _finite_past(head) or head.i > verb.i or _children(head, "aux", "auxpass"):
            continue
        if head.dep_ not in ("ROOT", "conj", "advcl") or _subject_of(head) is None:
            continue
        if _children(verb, "nsubj", "nsubjpass", "aux", "auxpass", "mark", "expl"):
            continue
        links = {c.lower_ for c in (*_children(head, "cc"), *_children(verb, "cc"))}
        if not links & {"and", "then"} or _children(head, "xcomp"):
            continue  # "I had to translate texts and help tourists": "help" is an infinitive
        gap = verb.doc[verb.i - 2 : verb.i] if verb.i >= 2 else verb.doc[0:0]
        if not any(t.lower_ in ("and", "then") for t in gap) or any(t.is_punct for t in gap):
            continue  # the link must be right before the verb: "I was (and is)"
        before = verb.doc[verb.i - 1]
        if before.lower_ == "to" or before.tag_ == "MD" or not morph.is_known(verb.text):
            continue  # "decided to stay and help" has no finite second verb
        if _clause_words(verb) & _PRESENT_CUES:
            continue
        want = _past_form(verb)
        if want is None or want == verb.lower_:
            continue
        found.append(_to_past(verb, want))
    return found


# Verbs that report speech or thought: a past one moves the tense of what it reports back.
_REPORTING = lx.words(
    """
    say tell think know realise realize feel believe notice find discover hope decide understand
    hear learn promise explain suppose imagine expect guess dream
    """
)
_BACKSHIFT_MODALS = {"will": "would", "'ll": "would", "wo": "would", "can": "could", "ca": "could"}


def _backshift_candidates(doc: Doc, sent: Span) -> list[Candidate]:
    """Reported speech and thought after a past verb: "she thought that he will be happy"
    (-> would), "he knew that she loves him" (-> loved, in a story only). Modals move back
    after any past reporting verb with a character as its subject; present verbs only inside
    a past narration, because a report of something still true keeps the present."""
    if any(t.text in ('"', "“", "”") for t in sent):
        return []
    narrated = sent.doc is doc.parsed and sent.start in _narrated(doc)
    found: list[Candidate] = []
    for clause in sent:
        head = clause.head
        if clause.dep_ != "ccomp" or head.i > clause.i or head.tag_ != "VBD":
            continue
        if head.lemma_.lower() not in _REPORTING or not _character_subject(head):
            continue
        if _children(head, "aux", "auxpass") or head.dep_ not in ("ROOT", "conj", "advcl"):
            continue
        cues = (_PRESENT_CUES | {"since", "ever", "future", "tomorrow"}) - {"will", "'ll"}
        if _clause_words(clause) & cues:
            continue  # "will" is the form moved back here, not a cue
        modal = next((a for a in _children(clause, "aux") if a.lower_ in _BACKSHIFT_MODALS), None)
        if modal is not None and _character_subject(clause):
            found.append(_backshift(modal, clause, "after a past report"))
            continue
        if not narrated or not _character_subject(clause):
            continue
        verb = clause
        if _do_support(clause):
            verb = _children(clause, "aux")[0]
        elif clause.tag_ not in ("VBZ", "VBP") or _children(clause, "aux", "auxpass"):
            continue
        past = _past_form(verb)
        if past is None or past == verb.lower_ or not morph.is_known(verb.text):
            continue
        found.append(_to_past(verb, past, confident=False))
    return found


def _backshift(modal: P, verb: P, context: str, prefix: str = "") -> Candidate:
    """A "will/can/'ll" that a past context moves back ("would/could/'d"), never certain."""
    want = "'d" if modal.lower_ == "'ll" else _BACKSHIFT_MODALS[modal.lower_]
    what = f"{prefix}{modal.lower_}" + (f" {context}" if context else "")
    return Candidate(
        modal,
        verb if verb.i - modal.i <= 2 else modal,
        f"{what} (past: {want})",
        (modal.idx, modal.idx + len(modal.text), _match_case(want, modal.text)),
        lambda t: t.tag_ == "MD",
        confident=False,
    )


def _conditional_candidates(sent: Span) -> list[Candidate]:
    """ "If I did that, she will try to help": a past "if" clause takes "would/could" in its
    main clause."""
    found: list[Candidate] = []
    for verb in sent:
        modal = next((a for a in _children(verb, "aux") if a.lower_ in _BACKSHIFT_MODALS), None)
        if modal is None or any(a.lemma_.lower() == "have" for a in _children(verb, "aux")):
            continue  # "will have been": a future perfect
        condition = next(
            (
                c
                for c in _children(verb, "advcl")
                if c.tag_ == "VBD"
                and not _children(c, "aux", "auxpass")
                and any(m.lower_ == "if" for m in _children(c, "mark"))
            ),
            None,
        )
        if condition is None:
            continue
        found.append(_backshift(modal, verb, "", prefix="if + past, "))
    return found


def _narrated_perfect_candidates(doc: Doc, sent: Span) -> list[Candidate]:
    """A present perfect for an event inside a past narration: "one day Mel was ill ... Mel
    has lost the baby" (-> had lost, or lost). Which of the two is meant is not certain, so
    the pattern is named without a fix."""
    if sent.doc is not doc.parsed or sent.start not in _narrated(doc):
        return []
    if any(t.text in ('"', "“", "”") for t in sent):
        return []
    found: list[Candidate] = []
    for verb in sent:
        if verb.tag_ != "VBN" or verb.dep_ not in ("ROOT", "conj"):
            continue
        auxes = _children(verb, "aux")
        if len(auxes) != 1 or auxes[0].lower_ not in ("has", "have", "'ve", "'s"):
            continue
        if auxes[0].tag_ not in ("VBZ", "VBP") or not _character_subject(verb):
            continue
        words = _clause_words(verb)
        if words & (_PRESENT_CUES | _EXPERIENCE_WORDS):
            continue
        if any(p.lower_ == "for" for p in _children(verb, "prep")):
            continue  # "he has worked there for years": a state up to now
        found.append(
            Candidate(
                auxes[0],
                verb,
                f"{auxes[0].lower_} {verb.lower_} in a past story",
                note=f"had {verb.lower_}, or the simple past",
                confident=False,
            )
        )
    return found


# Words that make a present perfect speak of experience up to now, which a story allows.
_EXPERIENCE_WORDS = lx.words("since ever never yet before already just so far lately recently")


def _all_tense_candidates(doc: Doc, sent: Span) -> list[Candidate]:
    return (
        _tense_candidates(doc, sent)
        + _past_form_candidates(sent)
        + _finished_time_candidates(sent)
        + _shared_subject_candidates(sent)
        + _backshift_candidates(doc, sent)
        + _conditional_candidates(sent)
        + _narrated_perfect_candidates(doc, sent)
    )


def past_tense(doc: Doc) -> Detection | None:
    return _finish(doc, "grammar.past_tense", _all_tense_candidates)


# --- grammar.article_omission -----------------------------------------------------------------

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
_THE_PLACES = lx.words(
    """
    cinema theatre theater supermarket station airport beach park gym museum bank library
    market mall pharmacy bakery doctor dentist centre center city countryside
    """
)
_DET_TAGS = frozenset({"DT", "PRP$", "WP$", "CD", "POS", "WDT", "PDT"})
_QUANTIFIER_WORDS = lx.words(
    "many much few several more most less enough such what which whose each every no any some"
)
_ARGUMENT_DEPS = frozenset({"dobj", "pobj", "attr", "nsubj", "nsubjpass", "appos", "oprd"})
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
    if not known and noun.dep_ == "attr" and _children(noun, "amod") and _one_thing(noun):
        # "it was wonderful experience", "she is kind doctor": after "be" with a
        # describing adjective, a noun used both ways means one instance when the subject
        # is one thing ("the shows are cheap entertainment" is the mass sense).
        known = (
            morph.countability(lemma) in ("count", "both")
            and lemma not in _ATTR_MASS_OK
            and lemma not in lx.UNCOUNTABLE_NOUNS
            and lemma not in _PRONOUN_NOUNS
        )
    if not known and noun.dep_ == "attr" and _one_thing(noun) and _of_phrase(noun):
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
    if (head.lemma_.lower(), noun.lower_) in lx.BARE_NOUN_IDIOMS or (
        head.lower_,
        noun.lower_,
    ) in _MORE_IDIOMS:
        return False  # "take place", "in addition"
    if lemma == "place" and head.lower_ == "in" and head.i != noun.sent.start:
        return False  # "she came in second place": a ranking; "In first place, ..." is not
    if noun.dep_ == "dobj" and head.lemma_.lower() == "play" and lemma in _INSTRUMENTS:
        return False  # "play piano": usual in American English beside "play the piano"
    if noun.lemma_.lower() in _TIME_UNITS and any(
        a.lower_ in ("last", "next", "this") for a in noun.children
    ):
        return False  # "last year", "next week": time adverbials take no article
    before = noun.doc[noun.i - 1] if noun.i > noun.sent.start else None
    if before is not None and before.lower_ == "to" and morph.is_base_verb(noun.lower_):
        return False  # "good to book": an infinitive misread as a noun
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
        if pair in lx.BARE_NOUN_IDIOMS or prep.lower_ in ("per", "via"):
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
    if lemma == "future" and noun.dep_ == "dobj" and noun.head.lemma_.lower() == "have":
        return False  # "it has future" wants "a future": a set phrase of its own
    if lemma == "man" and not _children(noun, "amod"):
        return False  # "since then man has built cities": humankind
    # Headline-like openings and names are too often misread; a noun that is one of a kind
    # ("Environment is ...", "Atmosphere is ...") needs "the" there too.
    return not (noun.dep_ == "nsubj" and noun.i == noun.sent.start and lemma not in _UNIQUE)


# Verbs of skill followed by an infinitive: a bare verb after them lost its "to" ("learn
# swim"). Not "want/need/forget", whose objects are as often nouns that are also verbs
# ("forgot plan" wants "the plan").
_INFINITIVE_VERBS = lx.words("know learn")


def _makes_definite(adjective: P) -> bool:
    """A superlative, "same/only/next/…", or an ordinal opening the sentence ("Second day was
    the best"; elsewhere it may be "a second chance", and "in second place" is said bare)."""
    if adjective.tag_ == "JJS" or adjective.lower_ in _DEFINITE_ADJECTIVES:
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
    if noun.lemma_.lower() in _UNIQUE:
        return "the"
    if any(
        c.lower_ == "why" or (c.dep_ == "relcl" and any(g.lower_ == "why" for g in c.children))
        for c in noun.children
    ):
        return "the"  # "that's the reason why"
    if noun.dep_ in ("attr", "appos", "oprd") or (noun.dep_ == "pobj" and noun.head.lower_ == "as"):
        first = noun.left_edge if noun.left_edge.i < noun.i else noun
        return indefinite_article(first.text)
    to_place = noun.dep_ == "pobj" and noun.head.lower_ in ("to", "at") and not adjectives
    if to_place and noun.lemma_.lower() in _THE_PLACES:
        return "the"
    return None


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
    return [
        Candidate(
            pronoun,
            noun,
            f"{pronoun.lower_} + noun",
            (pronoun.idx, pronoun.idx + len(pronoun.text), _match_case(want, pronoun.text)),
            lambda t: t.tag_ == "PRP$",
        )
    ]


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
    return [
        Candidate(
            det,
            noun,
            f"{det.lower_} + plural",
            (det.idx, det.idx + len(det.text), _match_case(want, det.text)),
            lambda t: t.lower_ == want,
        )
    ]


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


def _wrong_indefinite(article: P) -> list[Candidate]:
    """ "a apple", "an car": the article does not match the sound of the next word."""
    nxt = article.doc[article.i + 1] if article.i + 1 < len(article.doc) else None
    if nxt is None or not nxt.is_alpha or nxt.is_upper or len(nxt.text) < 2:
        return []
    if nxt.pos_ not in ("NOUN", "ADJ", "ADV") or not morph.is_known(nxt.text):
        return []
    want = indefinite_article(nxt.text)
    if want == article.lower_ or nxt.lower_.startswith(("u", "h", "eu", "o")):
        return []  # "a university", "an hour", "a one-off": sound, not spelling, decides
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


# --- grammar.plural_countable -----------------------------------------------------------------

_PLURAL_QUANTIFIERS = lx.words("many several few various numerous both these those")
_SINGULAR_ONLY_DETS = lx.words("every each another")
_SOME_ALL_MOST = lx.words("some all most")
_PIECE_OF = lx.words("advice information furniture equipment luggage baggage homework news")
# "a good knowledge of French", "a research project": not errors.
_A_UNCOUNTABLE_OK = lx.words("knowledge")
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


def _plural_candidates(doc: Doc, sent: Span) -> list[Candidate]:
    found: list[Candidate] = []
    for noun in sent:
        if noun.pos_ != "NOUN" or noun.dep_ == "compound":
            continue
        low, lemma = noun.lower_, noun.lemma_.lower()
        singular = lx.UNCOUNTABLE_PLURALS.get(low)
        if singular is not None and noun.tag_ == "NNS":
            determined = any(c.dep_ in ("det", "nummod") for c in noun.children)
            if low not in lx.AMBIGUOUS_PLURALS or determined:
                found.append(_replace(noun, noun, f"{low} (uncountable)", noun, singular, "NN"))
            continue
        if noun.tag_ == "NNS":
            found += _indefinite_plural(noun)
        uncountable = lemma in lx.UNCOUNTABLE_NOUNS or (
            morph.countability(lemma) == "mass" and lemma not in _MASS_WITH_A
        )
        if noun.tag_ == "NN" and uncountable and lemma not in _A_UNCOUNTABLE_OK:
            article = next(
                (c for c in noun.children if c.dep_ == "det" and c.lower_ in ("a", "an")), None
            )
            # A phrase after the noun can make a sense countable ("a knowledge of Spanish");
            # not for the nouns listed as never counted ("a feedback from people").
            listed = lemma in lx.UNCOUNTABLE_NOUNS
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


def _countable(lemma: str) -> bool:
    """Certainly a count noun: in the project's list, or marked count only in lemminflect's
    lexicon, and not one that is also used uncounted ("time", "work")."""
    if lemma in _MASS_TOO or lemma in lx.UNCOUNTABLE_NOUNS or lemma in lx.INVARIANT_NOUNS:
        return False
    if lemma in lx.COUNT_NOUNS:
        return True
    # "nothing", "someone" and "mine" are count nouns in the lexicon but pronouns here.
    return morph.countability(lemma) == "count" and lemma not in _PRONOUN_NOUNS


def _one_thing(attr: P) -> bool:
    """The complement's verb is singular "is/was" and its subject, before it, is one thing:
    he, she, it, this, that, or a singular noun."""
    verb = attr.head
    subject = _subject_of(verb)
    if verb.lower_ not in ("is", "was", "'s") or subject is None or subject.i > verb.i:
        return False
    return subject.lower_ in ("he", "she", "it", "this", "that") or subject.tag_ == "NN"


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


def _replace(first: P, last: P, key: str, target: P, new: str, tag: str | None) -> Candidate:
    def expect(t: P) -> bool:
        return tag is None or t.tag_ == tag

    return Candidate(
        first,
        last,
        key,
        (target.idx, target.idx + len(target.text), _match_case(new, target.text)),
        expect,
    )


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


def _singular_after_plural_quantifier(doc: Doc, noun: P) -> list[Candidate]:
    after = noun.doc[noun.i + 1] if noun.i + 1 < len(noun.doc) else None
    if after is not None and (after.lower_ in ("-", "old", "'s") or after.pos_ == "NOUN"):
        return []  # "a two-hour drive", "three year old", "ten minute walk"
    if any(c.tag_ in ("NNP", "NNPS") for c in noun.children):
        return []  # "4 Spruce Avenue": part of a name
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
    (("return", "to", "home"), "return home"),
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
    (("worth", "of", "it"), "worth it"),
    *((("worth", "of", owner), f"worth {owner}") for owner in ("my", "your", "our", "their")),
    *((("all", "of", number), f"all {number}") for number in ("two", "three", "four", "five")),
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
    if lemma in ("reply", "listen") and after.norm in ("me", "him", "us", "them"):
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
    if lemma == "wait" and after.norm in _PREP_OBJECT and after.norm != "a":
        nxt = doc.next(after)
        if nxt is None or nxt.norm not in _WAIT_OK:
            return _left_out(token, after, "wait + object", "for")
    return []


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


def _time_prepositions(doc: Doc, token: Token, after: Token) -> list[Hit]:
    norm = token.norm
    following = doc.next(after)
    number = after.norm.isdigit() or after.norm in lx.NUMBER_WORDS
    if norm in ("in", "at") and after.norm in _DAYS:
        return [Hit(token.index, after.index, f"{norm} + day", f"on {after.text}")]
    dated = following is not None and following.norm[:1].isdigit()  # "on January 5"
    if norm in ("on", "at") and after.norm in _MONTHS and not dated:
        return [Hit(token.index, after.index, f"{norm} + month", f"in {after.text}")]
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
