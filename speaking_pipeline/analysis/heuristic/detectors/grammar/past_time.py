"""When a clause is set in the past: time words, past frames, the tense of the sentences around."""

from __future__ import annotations

from typing import TYPE_CHECKING

from speaking_pipeline.analysis.heuristic import lexicons as lx
from speaking_pipeline.analysis.heuristic.detectors.grammar.syntax import _children, _subject_of
from speaking_pipeline.analysis.heuristic.text import Doc

if TYPE_CHECKING:
    from spacy.tokens import Span
    from spacy.tokens import Token as P

_PAST_UNITS = lx.PAST_MARKER_UNITS | {"day", "morning", "evening", "afternoon", "years", "days"}


def _finite_past(token: P) -> bool:
    return token.tag_ == "VBD" and token.dep_ not in ("amod", "acl") and token.lower_ != "did"


def _simple_past_clause(verb: P) -> bool:
    """A clause in the simple past, active or passive: "she left", "it was closed"."""
    if _finite_past(verb) and not _children(verb, "aux", "auxpass"):
        return True
    auxes = _children(verb, "aux", "auxpass")
    return bool(auxes) and auxes[0].tag_ == "VBD" and auxes[0].lower_ != "did"


# Links whose clause shares the time of the clause it hangs on.
_SHARED_TIME_LINKS = lx.words("because since so as when after before while until till once")


def _linked_past(clause: P) -> bool:
    """The clause is tied to a simple past clause of its own sentence: coordinated with it
    ("the guard open the door and let us in"), an adverbial clause of it ("she left because
    he snore"), or a verb of knowing whose complement is past ("she notice that it was
    late")."""
    if clause.dep_ == "conj" and _simple_past_clause(clause.head):
        return True
    if any(_simple_past_clause(c) for c in _children(clause, "conj")):
        return True
    if clause.dep_ == "advcl" and clause.head.dep_ in ("ROOT", "conj"):
        links = {m.lower_ for m in _children(clause, "mark", "advmod") if m.i < clause.i}
        if links & _SHARED_TIME_LINKS and _simple_past_clause(clause.head):
            return True
    return clause.lemma_.lower() in _REPORTING and any(
        _simple_past_clause(c) for c in _children(clause, "ccomp")
    )


def _followed_in_past(clause: P) -> bool:
    """The clause is followed by a past one "and then": "I listen to him and then I answered"
    tells two events in a row, so the first is past too."""
    for conj in _children(clause, "conj"):
        then = any(c.lower_ == "then" for c in conj.children if c.i < conj.i)
        if then and _simple_past_clause(conj):
            return True
    # The parse often starts a new sentence at "and then".
    doc, sent = clause.doc, clause.sent
    if clause.dep_ != "ROOT" or sent.end + 1 >= len(doc) or doc[sent.end - 1].is_punct:
        return False
    following = doc[sent.end].sent
    opening = [t.lower_ for t in following[:2]]
    return opening == ["and", "then"] and _simple_past_clause(following.root)


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


# "In 2010 I finish school": a year this far back is past whenever the analysis runs. A fixed
# bound rather than today's date, so that a transcript always gets the same feedback.
SURELY_PAST_BEFORE = 2020


def _past_year(word: str) -> bool:
    return len(word) == 4 and word.isdigit() and 1900 <= int(word) < SURELY_PAST_BEFORE


def _sentence_past_marker(sent: Span) -> bool:
    """The sentence names a past time anywhere (the parse of a learner's sentence can attach
    "Last winter" to the wrong word, so this reads the words): yesterday, last week, two years
    ago, when I was young."""
    aside = {t.i for c in sent if _as_comment(c) for t in c.subtree}
    words = [t.lower_ for t in sent if t.i not in aside]  # "as I said yesterday" dates nothing
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


# Verbs that report speech or thought: a past one moves the tense of what it reports back.
_REPORTING = lx.words(
    """
    say tell think know realise realize feel believe notice find discover hope decide understand
    hear learn promise explain suppose imagine expect guess dream
    """
)


# "As I said", "as you asked", "as we agreed before": the clause points back to something said
# or known, and says nothing of when the main clause happens ("As I said, I like football").
_AS_COMMENT_VERBS = lx.words(
    """
    say tell ask request mention agree promise discuss suggest explain expect plan arrange
    write note state know hope wish want show describe report point predict hear read guess
    imagine think believe decide advise indicate remember learn discover notice
    """
)


def _as_comment(clause: P) -> bool:
    """An "as" clause of saying or knowing with no object of its own but a person ("as I told
    you"), not a time ("as I saw the bus, I ran")."""
    if clause.dep_ != "advcl" or clause.lemma_.lower() not in _AS_COMMENT_VERBS:
        return False
    leading = {m.lower_ for m in _children(clause, "mark", "advmod") if m.i < clause.i}
    if leading != {"as"}:
        return False
    objects = _children(clause, "dobj", "ccomp", "xcomp", "attr")
    return all(o.tag_ == "PRP" and o.lower_ != "it" for o in objects)
