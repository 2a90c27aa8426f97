"""grammar.subject_verb_agreement: a finite verb whose number is not its subject's."""

from __future__ import annotations

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
    _DET_TAGS,
    _PLURAL_QUANTIFIERS,
    _count,
)
from speaking_pipeline.analysis.heuristic.detectors.grammar.past_time import (
    _linked_past,
    _past_context,
)
from speaking_pipeline.analysis.heuristic.detectors.grammar.syntax import (
    _EITHER_NUMBER,
    _POSSESSIVES,
    _children,
    _match_case,
    _noun_number,
    _number,
    _plain_finite,
    _span_of,
    _subject_of,
)
from speaking_pipeline.analysis.heuristic.findings import Detection
from speaking_pipeline.analysis.heuristic.text import Doc

if TYPE_CHECKING:
    from spacy.tokens import Span
    from spacy.tokens import Token as P

_SUBJUNCTIVE_MARKS = frozenset({"if", "though", "unless", "whether"})
_SUBJUNCTIVE_HEADS = frozenset({"wish", "suppose", "imagine", "pretend", "rather"})


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
        _modal_third_person(sent)
        + _verbless_like(sent)
        + _causative_complement(sent)
        + _verb_read_as_noun(sent)
        + _s_after_do(sent)
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
            and (_past_context(doc, verb) or _linked_past(verb))
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


def _s_after_do(sent: Span) -> list[Candidate]:
    """ "he doesn't likes", "does she wants": after "do/does" the verb is bare; the person is
    already shown on "does"."""
    found: list[Candidate] = []
    for verb in sent:
        if verb.tag_ != "VBZ" or not morph.is_known(verb.text):
            continue
        do = next(
            (a for a in _children(verb, "aux") if a.lemma_.lower() == "do" and a.i < verb.i), None
        )
        base = verb.lemma_.lower()
        if do is None or base == verb.lower_ or not base.isalpha():
            continue
        found.append(_replace(do, verb, f"{do.lower_} + {verb.lower_}", verb, base, "VB"))
    return found


def _verb_read_as_noun(sent: Span) -> list[Candidate]:
    """ "My brother work as an engineer": the bare verb after a singular subject is parsed as a
    noun at the root of the sentence, with the subject hanging from it. The fix must parse as
    a verb (VBZ) for the hit to stand."""
    found: list[Candidate] = []
    for word in sent:
        if word.tag_ != "NN" or word.dep_ != "ROOT" or not morph.is_base_verb(word.lower_):
            continue
        subjects = [s for s in _children(word, "nsubj") if s.i < word.i]
        if len(subjects) != 1 or _children(word, "aux", "auxpass", "det", "poss"):
            continue
        subject = subjects[0]
        if subject.i != word.i - 1 or _children(subject, "conj"):
            continue  # only right after its subject: "brother work", not a headline
        number = "3sg" if subject.lower_ in ("he", "she", "it") else _noun_number(subject)
        want = morph.inflect(word.lower_, "VBZ")
        if number != "3sg" or want is None:
            continue
        found.append(
            _replace(subject, word, f"{subject.lower_} + {word.lower_}", word, want, "VBZ")
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
        key = f"{head.lemma_.lower()} + object + {verb.lower_}"
        found.append(_replace(head, verb, key, verb, base, "VB"))
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
    if verb.head.dep_ == "advcl":
        # "they smile when their teacher is happy and sing ...": out of an adverbial
        # clause, the second verb may as well belong to the main one.
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
    return [_swap(expl, attr, f"there {verb.lower_} + plural", verb, want)]


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
    if attr.lower_ == "lot" and _uncountable_after_of(attr):
        want = "is" if verb.lower_ == "are" else "was"
        return [_swap(expl, attr, f"there {verb.lower_} + a lot of + uncountable", verb, want)]
    if attr.lemma_.lower() in _EITHER_NUMBER or any(
        t.lower_ in ("couple", "few", "lot", "little") for t in attr.subtree
    ):
        return []  # "there are a lot of", "there are a couple of", "there are a few jobs"
    if any(c.dep_ == "prep" and c.lower_ == "of" for c in attr.children):
        return []
    want = "is" if verb.lower_ == "are" else "was"
    return [_swap(expl, attr, f"there {verb.lower_} + singular", verb, want)]


def _uncountable_after_of(amount: P) -> bool:
    """ "a lot of traffic": the noun after "of" is never counted, so the amount is singular."""
    of = next((c for c in amount.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    counted = next((c for c in of.children if c.dep_ == "pobj"), None) if of else None
    return (
        counted is not None
        and counted.tag_ == "NN"
        and counted.lemma_.lower() in lx.UNCOUNTABLE_NOUNS
        and not _children(counted, "conj")
    )


def _subjunctive(verb: P) -> bool:
    clause = verb.head if verb.dep_ in ("aux", "auxpass") else verb
    marks = {m.lower_ for m in _children(clause, "mark")}
    return bool(marks & _SUBJUNCTIVE_MARKS) or clause.head.lemma_.lower() in _SUBJUNCTIVE_HEADS


def subject_verb_agreement(doc: Doc) -> Detection | None:
    return _finish(doc, "grammar.subject_verb_agreement", _agreement_candidates)
