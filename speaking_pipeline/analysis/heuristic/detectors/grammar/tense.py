"""grammar.past_tense: present forms in a clause anchored in the past (never modals or futures)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from speaking_pipeline.analysis.heuristic import lexicons as lx
from speaking_pipeline.analysis.heuristic import morphology as morph
from speaking_pipeline.analysis.heuristic.detectors.grammar.candidates import Candidate, _finish
from speaking_pipeline.analysis.heuristic.detectors.grammar.past_time import (
    _PAST_UNITS,
    _REPORTING,
    _as_comment,
    _finite_past,
    _followed_in_past,
    _linked_past,
    _past_context,
    _past_frames,
    _past_year,
    _sentence_past_marker,
    _this_period,
)
from speaking_pipeline.analysis.heuristic.detectors.grammar.syntax import (
    _PERIODS,
    _children,
    _clause_words,
    _match_case,
    _number,
    _plain_finite,
    _subject_of,
)
from speaking_pipeline.analysis.heuristic.findings import Detection
from speaking_pipeline.analysis.heuristic.text import Doc

if TYPE_CHECKING:
    from spacy.tokens import Span
    from spacy.tokens import Token as P

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


def _past_marker(verb: P, clauses: bool = True) -> bool:
    """The verb's own clause says the time is past: yesterday, last week, two years ago, or
    (with `clauses`) a 'when I was young' clause attached to it."""
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
                if g.dep_ == "pobj" and low == "in" and _past_year(g.text):
                    return True
        if clauses and child.dep_ == "advcl" and child.tag_ == "VBD":
            marks = {m.lower_ for m in _children(child, "mark", "advmod")}
            if marks & {"when", "while", "after", "before", "as", "once"}:
                if _as_comment(child):
                    continue
                return True
    return False


def _bare_third_person(verb: P) -> bool:
    """'she get', 'my dad die': a bare form after a singular subject."""
    if verb.tag_ not in ("VBP", "VB") or verb.dep_ in ("aux", "auxpass", "xcomp"):
        return False
    if verb.tag_ == "VB" and not _plain_finite(verb):
        return False
    subject = _subject_of(verb)
    return subject is not None and subject.i < verb.i and _number(subject, verb) == "3sg"


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


# Verbs whose "I + present" is an act done by saying it, now: "I recommend it", "I promise".
_SPEECH_ACTS = lx.words(
    """
    recommend suggest promise swear bet guess admit agree apologise apologize thank advise
    insist hope wish
    """
)


def _speech_act(clause: P) -> bool:
    """The speaker does something by saying it ("Last night we saw it, and I really recommend
    it"): the past time elsewhere in the sentence is not this clause's time."""
    return _narrator_speaks(clause) and clause.lemma_.lower() in _SPEECH_ACTS


# What a book, a film or a study says stays in the present when the reading or watching was
# in the past: "yesterday I watched a documentary, and it shows how serious it is".
_WORKS = _LITERARY | lx.words(
    "documentary article video series show podcast report study survey website song paper"
)
_CONTENT_VERBS = lx.words(
    """
    say show tell explain describe discuss argue claim suggest mention deal focus cover
    feature include talk prove
    """
)


def _work_says(clause: P) -> bool:
    """A book, a film or a study (or "it" after one) says, shows or tells something."""
    subject = _subject_of(clause)
    if subject is None or clause.lemma_.lower() not in _CONTENT_VERBS:
        return False
    if subject.lemma_.lower() in _WORKS:
        return True
    return subject.lower_ in ("it", "this", "that") and any(
        t.lemma_.lower() in _WORKS for t in clause.sent if t.i < subject.i
    )


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
    slipped: set[int] = set()
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
        if (_speech_act(clause) or _work_says(clause)) and not _past_marker(clause):
            continue
        if (
            _past_marker(clause)
            or (marked and main and not stative)
            or (_bare_third_person(verb) and _past_context(doc, verb))
            or _under_past_event(clause)
        ):
            pass
        elif narrated and _narrated_clause(clause, past_here, stative, embedded):
            # A character's action among past events ("... so Tom and Huck hide"): the tense is
            # read from the sentences around, so the hit is not confident.
            confident = False
        elif not stative and _followed_in_past(clause):
            confident = False
        elif _bare_third_person(verb) and _linked_past(clause):
            # "the guard open the door and let us in": the form is wrong either way, and the
            # clause it is tied to says which form is meant.
            confident = False
        elif stative or embedded:
            continue
        elif clause.dep_ == "conj" and clause.head.i in slipped:
            # "my uncle make a speech and everybody laugh": coordinated with a present verb
            # already read as a slip, it shares that verb's time.
            confident = False
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
        slipped.add(clause.i)
    return found


_TIME_LINKS = lx.words("when after before while until till once")
# A present reflection on the past is right: "when I think about it, I was lucky".
_REFLECTING = _COMMENT_VERBS | lx.words("remember look forget consider reflect")


def _under_past_event(clause: P) -> bool:
    """A time clause of a simple past main clause: "when I arrive, the shop was closed" (->
    arrived). The main verb dates it; a "will" or a present there would make it a future or
    a habit, which this is not."""
    if clause.dep_ != "advcl" or clause.lemma_.lower() in _REFLECTING:
        return False
    links = {m.lower_ for m in _children(clause, "mark", "advmod") if m.i < clause.i}
    head = clause.head
    if links == {"while"} and clause.i < head.i:
        return False  # "While my brother likes cities, my sister grew up ...": a contrast
    if not links & _TIME_LINKS:
        return False
    if head.dep_ not in ("ROOT", "conj"):
        return False
    auxes = _children(head, "aux", "auxpass")
    # "the shop closed", "the shop was closed", "we were eating", "we had left".
    past = (head.tag_ == "VBD" and not auxes) or (
        bool(auxes) and auxes[0].tag_ == "VBD" and all(a.tag_ != "MD" for a in auxes)
    )
    return past and not _clause_words(head) & _PRESENT_CUES


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


def _since_candidates(sent: Span) -> list[Candidate]:
    """A present with "since" and a point in the past: "I live here since 2015" (-> have
    lived), "she is working there since May" (-> has been working), "we know each other
    since we were kids". The time runs from the past to now, which the perfect says."""
    if any(t.text in ('"', "“", "”") for t in sent):
        return []
    found: list[Candidate] = []
    for verb in sent:
        if verb.dep_ not in ("ROOT", "conj", "ccomp") or not _since_point(verb):
            continue
        subject = _subject_of(verb)
        if subject is None or subject.i > verb.i:
            continue
        if verb.lemma_.lower() == "be" and subject.lower_ in ("it", "this", "that"):
            continue  # "it is two years since we met" is right
        if _clause_words(verb) & _TIMETABLE:
            continue  # "it is open since 9 on Sundays": a timetable ("from 9"), not a span
        found += _to_perfect(subject, verb, "since")
    return found


# Not "only": "Sunday is the only time I see them" is a habit, rightly present.
_TIMETABLE = lx.words(
    """
    every usually often sometimes normally generally mondays tuesdays wednesdays thursdays
    fridays saturdays sundays weekends weekdays
    """
)
_NTH = lx.words("first second third fourth fifth")


def _first_time_candidates(sent: Span) -> list[Candidate]:
    """ "It's the first time I visit London" (-> I've visited); after "it was the first
    time" the simple past, not certain ("I saw" or "I had seen")."""
    if any(t.text in ('"', "“", "”") for t in sent):
        return []
    found: list[Candidate] = []
    for verb in sent:
        time = verb.head
        if verb.dep_ != "relcl" or time.lemma_.lower() != "time" or time.dep_ != "attr":
            continue
        if not any(c.dep_ == "amod" and c.lower_ in _NTH for c in time.children):
            continue
        be, subject = time.head, _subject_of(verb)
        if be.lemma_.lower() != "be" or subject is None or subject.i > verb.i:
            continue
        if be.tag_ in ("VBZ", "VBP") and not _children(be, "aux"):
            found += _to_perfect(subject, verb, "the first time")
        elif be.tag_ == "VBD" and _present_verb(verb) and not _children(verb, "aux"):
            want = _past_form(verb)
            if want is not None and want != verb.lower_:
                found.append(_to_past(verb, want, first=subject, confident=False))
    return found


def _to_perfect(subject: P, verb: P, context: str) -> list[Candidate]:
    """A simple present ("I live"), progressive ("I'm living") or passive ("it is closed")
    put in the present perfect."""
    have = "has" if _number(subject, verb) == "3sg" else "have"
    auxes = _children(verb, "aux", "auxpass")
    if not auxes and verb.tag_ in ("VBZ", "VBP") and morph.is_known(verb.text):
        lemma = verb.lemma_.lower()
        participle = "been" if lemma == "be" else morph.inflect(lemma, "VBN")
        if participle is None:
            return []
        target, new = verb, f"{have} {participle}"
    elif len(auxes) == 1 and auxes[0].lemma_.lower() == "be" and auxes[0].tag_ in ("VBZ", "VBP"):
        if verb.tag_ not in ("VBG", "VBN"):
            return []
        target = auxes[0]
        if target.text.startswith("'"):
            new = "'s been" if have == "has" else "'ve been"
        else:
            new = f"{have} been"
    else:
        return []
    return [
        Candidate(
            subject if verb.i - subject.i <= 3 else target,
            verb,
            f"{target.lower_} {context} (perfect: {new})",
            (target.idx, target.idx + len(target.text), _match_case(new, target.text)),
            lambda t: t.tag_ == "VBN",
        )
    ]


def _since_point(verb: P) -> bool:
    """The verb has "since" + a time ("since 2015", "since then") or + a past clause."""
    for child in verb.children:
        if child.lower_ == "since" and child.dep_ == "prep":
            return any(g.dep_ in ("pobj", "advmod") for g in child.children)
        if child.dep_ == "advcl" and child.i > verb.i and _finite_past(child):
            marks = {m.lower_ for m in _children(child, "mark")}
            # "since he was ill yesterday": a finished time makes it a cause, not a start.
            if marks == {"since"} and not _past_marker(child):
                # "I was shaking and my heart is pounding since I was scared": beside other
                # past verbs, "since" gives a cause, and the slip is the present itself.
                inside = {t.i for t in child.subtree}
                return not any(_finite_past(t) for t in verb.sent if t.i not in inside)
    return False


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


_SAYING = lx.words("say tell confess")


def _dated_modal_candidates(sent: Span) -> list[Candidate]:
    """ "Two years ago I can't speak English" (-> couldn't), "last week I must work late" (->
    had to): "can" and "must" in a clause that its own time words put in the past. Never
    "will", which a past time word makes a contradiction, not a slip with one fix."""
    if any(t.text in ('"', "“", "”") for t in sent):
        return []
    found: list[Candidate] = []
    for verb in sent:
        modal = next((a for a in _children(verb, "aux") if a.tag_ == "MD"), None)
        if modal is None or modal.lower_ not in ("can", "ca", "must") or modal.i > verb.i:
            continue
        # Only time words: "I can remember when I was ill" remembers it now.
        if not _past_marker(verb, clauses=False) or _clause_words(verb) & _PRESENT_CUES:
            continue
        if verb.lemma_.lower() in _SPEECH_ACTS | _SAYING:
            continue  # "last week, I must admit, was fun": the speaker comments now
        if modal.lower_ == "must":
            found.append(
                Candidate(
                    modal,
                    verb,
                    "must (past: had to)",
                    (modal.idx, modal.idx + len(modal.text), _match_case("had to", modal.text)),
                    lambda t: t.lower_ == "had" and t.tag_ == "VBD",
                    confident=False,
                )
            )
        else:
            found.append(_backshift(modal, verb, "in the past"))
    return found


def _all_tense_candidates(doc: Doc, sent: Span) -> list[Candidate]:
    return (
        # First: where "since" asks for the perfect, a past time word nearby does not make
        # the past right ("she plays since childhood").
        _since_candidates(sent)
        + _first_time_candidates(sent)
        + _tense_candidates(doc, sent)
        + _dated_modal_candidates(sent)
        + _past_form_candidates(sent)
        + _finished_time_candidates(sent)
        + _shared_subject_candidates(sent)
        + _backshift_candidates(doc, sent)
        + _conditional_candidates(sent)
        + _narrated_perfect_candidates(doc, sent)
    )


def past_tense(doc: Doc) -> Detection | None:
    return _finish(doc, "grammar.past_tense", _all_tense_candidates)
