"""Vocabulary detectors: fillers, connectors, intensifiers, vague words, hedges and repetition."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from speaking_pipeline.analysis.heuristic import lexicons as lx
from speaking_pipeline.analysis.heuristic import morphology as morph
from speaking_pipeline.analysis.heuristic import thresholds as th
from speaking_pipeline.analysis.heuristic.detectors.common import is_determiner
from speaking_pipeline.analysis.heuristic.findings import Detection, Hit
from speaking_pipeline.analysis.heuristic.text import Doc, Token

# --- vocabulary.filler_words ------------------------------------------------------------------


def _filler_like(doc: Doc, token: Token) -> bool:
    """'like' as a discourse filler rather than a verb, preposition or comparison."""
    before = doc.prev(token)
    after = doc.next(token)
    if before is None:
        return token.comma_after
    if (
        before.norm in lx.SUBJECT_PRONOUNS
        and after is not None
        and not token.comma_before
        and (morph.is_simple_past(after.norm) or after.norm in ("was", "were"))
    ):
        return True  # "we like went"
    if before.norm in lx.VERBAL_BEFORE_LIKE and not token.comma_before:
        return False
    if token.comma_before and token.comma_after:
        return True
    if before.norm in lx.QUOTATIVE_BEFORE_LIKE:
        return token.comma_after or (
            after is not None and after.norm in lx.INTENSIFIER_NEXT - {"the"}
        )
    if token.comma_after:
        return True
    if after is not None and after.norm in lx.INTENSIFIER_NEXT - {"the"}:
        return True
    return (
        before.norm in ("and", "but", "so", "because", "or")
        and after is not None
        and after.norm in lx.SUBJECT_PRONOUNS | {"there"}
    )


def _filler_you_know(doc: Doc, you: Token) -> bool:
    know = doc.next(you)
    if know is None or know.norm != "know" or you.comma_after:
        return False
    before = doc.prev(you)
    if before is not None and before.norm in lx.YOU_KNOW_BLOCKERS:
        return False
    after = doc.next(know)
    if know.comma_after or after is None:
        return True
    clause_start = before is None or you.comma_before
    return clause_start and after.norm not in lx.YOU_KNOW_OBJECTS


def _filler_i_mean(doc: Doc, i: Token) -> bool:
    mean = doc.next(i)
    if mean is None or mean.norm != "mean" or i.comma_after:
        return False
    before = doc.prev(i)
    if before is not None and before.norm in (
        "what",
        "do",
        "did",
        "don't",
        "didn't",
        "if",
        "you",
        "which",
        "that's",
        "really",
        "sorry",
    ):
        return False
    after = doc.next(mean)
    if mean.comma_after:
        return after is not None
    clause_start = before is None or i.comma_before or before.norm in ("and", "but", "so")
    if not clause_start or after is None:
        return False
    openers = (
        lx.SUBJECT_PRONOUNS
        | lx.COPULA_CONTRACTIONS
        | {"there", "the", "like", "um", "uh", "basically", "this", "we", "my"}
    )
    if after.norm not in openers:
        return False
    if after.norm in ("it", "this"):
        follow = doc.next(after)
        return follow is not None and not after.comma_after
    return True


def hesitant_so(doc: Doc, token: Token) -> bool:
    """'So' that holds the floor rather than linking: repeated ("so, so, so") or opening a
    sentence ("So I was at home ..."). Such uses are counted as fillers and false starts, never
    as connector overuse."""
    if token.norm != "so":
        return False
    before, after = doc.prev(token), doc.next(token)
    repeated = (before is not None and before.norm == "so" and token.comma_before) or (
        after is not None and after.norm == "so" and token.comma_after
    )
    return repeated or opening_so(doc, token)


def opening_so(doc: Doc, token: Token) -> bool:
    """A sentence-opening 'So' (after nothing but fillers), not part of a 'so, so' run."""
    before = doc.prev(token)
    while before is not None and before.norm in lx.FILLED_PAUSES:
        before = doc.prev(before)
    if before is not None:
        return False
    after = doc.next(token)
    return not (after is not None and after.norm == "so" and token.comma_after)


def filler_words(doc: Doc) -> Detection | None:
    hits: list[Hit] = []
    for token in doc.tokens:
        norm = token.norm
        if norm in lx.FILLED_PAUSES:
            hits.append(Hit(token.index, token.index, lx.FILLED_PAUSES[norm]))
        elif norm == "basically":
            hits.append(Hit(token.index, token.index, "basically"))
        elif norm == "so" and opening_so(doc, token):
            hits.append(Hit(token.index, token.index, "so"))
        elif norm == "like" and _filler_like(doc, token):
            hits.append(Hit(token.index, token.index, "like"))
        elif norm == "you" and _filler_you_know(doc, token):
            hits.append(Hit(token.index, token.index + 1, "you know"))
        elif norm == "i" and _filler_i_mean(doc, token):
            hits.append(Hit(token.index, token.index + 1, "I mean"))
    return Detection("vocabulary.filler_words", hits) if hits else None


# --- vocabulary.hedging -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _hedges_by_first_word() -> dict[str, tuple[tuple[str, ...], ...]]:
    """lx.HEDGES by their first word, in list order: only these can start at a token."""
    index: dict[str, list[tuple[str, ...]]] = {}
    for phrase in lx.HEDGES:
        index.setdefault(phrase[0], []).append(phrase)
    return {word: tuple(phrases) for word, phrases in index.items()}


def hedging(doc: Doc) -> Detection | None:
    hits: list[Hit] = []
    skip_until = -1
    by_first_word = _hedges_by_first_word()
    for token in doc.tokens:
        if token.index <= skip_until:
            continue
        for phrase in by_first_word.get(token.norm, ()):
            if doc.norms(token.index, len(phrase)) != phrase:
                continue
            last = token.index + len(phrase) - 1
            if doc.tokens[last].sentence != token.sentence:
                continue
            if phrase in (("kind", "of"), ("sort", "of")):
                before = doc.prev(token)
                if before is not None and before.norm in lx.KIND_OF_NOUN_CONTEXT:
                    break
            hits.append(
                Hit(
                    token.index,
                    last,
                    " ".join(phrase)
                    .replace("i ", "I ")
                    .replace("i'm", "I'm")
                    .replace("i'd", "I'd"),
                )
            )
            skip_until = last
            break
    return Detection("vocabulary.hedging", hits) if hits else None


# --- vocabulary.intensifier_overuse -----------------------------------------------------------

_SO_CONNECTOR_NEXT = frozenset(
    {
        "now",
        "then",
        "yeah",
        "basically",
        "anyway",
        "actually",
        "first",
        "finally",
        "also",
        "instead",
        "today",
        "here",
        "there",
        "recently",
        "eventually",
        "later",
        "again",
        "obviously",
        "yes",
        "no",
        "in",
        "after",
        "apparently",
        "suddenly",
        "sometimes",
        "why",
        "little",
        "every",
        "at",
        "on",
        "when",
        "if",
        "this",
        "that",
        "um",
        "uh",
        "like",
    }
)


def so_is_intensifier(doc: Doc, token: Token) -> bool:
    after = doc.next(token)
    before = doc.prev(token)
    if after is None or token.comma_after or after.norm in lx.SO_NOT_INTENSIFYING:
        return False
    if after.norm == "long":
        following = doc.next(after)
        return following is None or following.norm != "as"  # "so long as" is a condition
    if after.norm in ("much", "many"):
        return True
    if after.norm in _SO_CONNECTOR_NEXT or after.norm in lx.SUBJECT_PRONOUNS:
        return False
    if before is None or token.comma_before or before.norm in ("and", "but", "or"):
        # Clause-initial "so" links clauses, unless a bare adjective follows ("so, so hot").
        return after.norm == "so" or (
            (morph.is_adjective(after.norm) and not morph.is_noun(after.norm))
            and after.norm not in lx.DETERMINERS
        )
    if is_determiner(after):
        return False
    return morph.is_adjective(after.norm) or morph.is_adverb(after.norm) or after.norm == "so"


def _intensifies(doc: Doc, token: Token) -> bool:
    norm = token.norm
    after = doc.next(token)
    before = doc.prev(token)
    if norm == "so":
        return so_is_intensifier(doc, token)
    if after is None or (token.comma_after and norm not in ("very", "really")):
        return norm == "really" and before is not None and before.norm != "not"
    if norm == "very":
        return before is None or before.norm not in ("the", "this", "that", "his", "her", "my")
    if norm == "really":
        return before is None or before.norm != "not"
    if norm in ("pretty", "super", "highly", "seriously", "truly"):
        if is_determiner(before):
            return False
        return morph.is_adjective(after.norm) or morph.is_adverb(after.norm)
    return True


def intensifier_overuse(doc: Doc) -> Detection | None:
    hits: list[Hit] = []
    stacked = 0
    for token in doc.tokens:
        if token.norm not in lx.INTENSIFIERS or not _intensifies(doc, token):
            continue
        after = doc.next(token)
        correction = None
        target = after
        if target is not None and target.norm in lx.INTENSIFIERS:
            stacked += 1
            target = doc.next(target)
        if target is not None and target.norm in lx.PRECISE_ADJECTIVES:
            correction = lx.PRECISE_ADJECTIVES[target.norm]
        last = target.index if target is not None and correction else token.index
        hits.append(Hit(token.index, last, token.norm, correction))
    if not hits:
        return None
    return Detection("vocabulary.intensifier_overuse", hits, measures={"stacked": stacked})


# --- vocabulary.vague_words -------------------------------------------------------------------


def vague_words(doc: Doc) -> Detection | None:
    hits: list[Hit] = []
    for token in doc.tokens:
        if token.norm not in lx.VAGUE_WORDS:
            continue
        before = doc.prev(token)
        after = doc.next(token)
        if token.norm == "good":
            if after is not None and after.norm in ("at", "luck", "morning", "evening", "night"):
                continue
            if before is not None and before.norm in ("for", "as"):
                continue
        hits.append(Hit(token.index, token.index, token.norm, lx.VAGUE_ALTERNATIVES[token.norm]))
    return Detection("vocabulary.vague_words", hits) if hits else None


# --- vocabulary.connector_overuse -------------------------------------------------------------

_SO_NOT_CONNECTING_BEFORE = frozenset(
    {
        "think",
        "hope",
        "guess",
        "do",
        "did",
        "said",
        "say",
        "or",
        "not",
        "even",
        "just",
        "and",
        "believe",
        "suppose",
        "told",
        "tell",
        "why",
    }
)


def _connector_at(doc: Doc, token: Token) -> tuple[str, int] | None:
    """The connector starting at this token and its last token, if it links clauses here."""
    for phrase in lx.CONNECTOR_PHRASES:
        if doc.norms(token.index, len(phrase)) == phrase:
            if phrase != ("and", "then") and not (doc.prev(token) is None or token.comma_before):
                continue
            return " ".join(phrase), token.index + len(phrase) - 1
    norm = token.norm
    if norm not in lx.SINGLE_CONNECTORS:
        return None
    before = doc.prev(token)
    after = doc.next(token)
    clause_start = before is None or token.comma_before
    if norm in lx.ALWAYS_CONNECTING:
        return norm, token.index
    if norm == "so":
        if hesitant_so(doc, token):
            return None
        if before is not None and before.norm in _SO_NOT_CONNECTING_BEFORE and before.norm != "and":
            return None
        if after is None or after.norm in (
            "far",
            "that",
            "on",
            "called",
            "long",
            "as",
            "much",
            "many",
        ):
            return None
        if so_is_intensifier(doc, token):
            return None
        return "so", token.index
    if norm == "and":
        if after is not None and (
            after.norm in lx.SUBJECT_PRONOUNS | {"there", "now", "also", "so", "that", "this"}
            or clause_start
        ):
            if after.norm == "then" or after.norm == "so":
                return None
            return "and", token.index
        return None
    if norm == "then":
        if before is not None and before.norm in (
            "and",
            "since",
            "until",
            "by",
            "back",
            "but",
            "from",
            "till",
            "just",
            "even",
            "only",
        ):
            return None
        return ("then", token.index) if clause_start else None
    if norm in (
        "also",
        "plus",
        "anyway",
        "besides",
        "still",
        "yet",
        "meanwhile",
        "afterwards",
        "otherwise",
    ):
        return (norm, token.index) if clause_start and before is None else None
    if norm == "though" and after is None:
        return "though", token.index
    if norm in ("though", "while", "since"):
        return (norm, token.index) if clause_start or norm != "since" else None
    return None


def connector_overuse(doc: Doc) -> Detection | None:
    found: list[Hit] = []
    skip_until = -1
    for token in doc.tokens:
        if token.index <= skip_until:
            continue
        connector = _connector_at(doc, token)
        if connector is not None:
            key, last = connector
            found.append(Hit(token.index, last, key, lx.CONNECTOR_ALTERNATIVES.get(key)))
            skip_until = last
    if not found:
        return None
    counts = Counter(hit.key for hit in found)
    candidates = [(n, key) for key, n in counts.items() if key != "and"]
    if not candidates:
        return None
    top_count, top = max(candidates)
    share = top_count / len(found)
    if share < th.CONNECTOR_MIN_SHARE:
        return None
    hits = [hit for hit in found if hit.key == top]
    return Detection(
        "vocabulary.connector_overuse",
        hits,
        measures={"share": round(share, 2), "linking_total": len(found)},
    )


# --- vocabulary.word_repetition ---------------------------------------------------------------

_EXCLUDED_FROM_REPETITION = (
    lx.STOPWORDS
    | lx.INTENSIFIERS
    | lx.VAGUE_WORDS
    | lx.SINGLE_CONNECTORS
    | frozenset(lx.FILLED_PAUSES)
)


_NOUN_CONTEXT = lx.DETERMINERS | lx.PREPOSITIONS
_VERB_CONTEXT = lx.SUBJECT_PRONOUNS | lx.AUXILIARIES | morph.MODALS | {"to"}


def _content_key(doc: Doc, token: Token) -> tuple[str, str] | None:
    """(lemma, word class) for a content word, or None for function and lexicon words.
    The class (adjective, noun, verb) decides how often it may recur before it counts."""
    norm = token.norm
    if len(norm) < 3 or not norm.isalpha() or norm in _EXCLUDED_FROM_REPETITION:
        return None
    if token.capitalised and not token.ends_sentence_before and token.index > 0:
        return None  # a name repeats because it is the topic
    forms = morph.lemmas(norm)
    if "ADJ" in forms and norm in forms["ADJ"]:
        key, kind = norm, "adjective"
    elif "NOUN" in forms and "VERB" in forms:
        # "the shop" vs "we shop": the word before decides.
        before = doc.prev(token)
        as_verb = before is not None and before.norm in _VERB_CONTEXT
        as_noun = before is None or before.norm in _NOUN_CONTEXT or morph.is_adjective(before.norm)
        if as_verb and not as_noun:
            key, kind = forms["VERB"][0], "verb"
        else:
            key, kind = forms["NOUN"][0], "noun"
    elif "NOUN" in forms:
        key, kind = forms["NOUN"][0], "noun"
    elif "VERB" in forms:
        key, kind = forms["VERB"][0], "verb"
    elif "ADV" in forms:
        key, kind = norm, "adjective"
    else:
        key, kind = norm, "noun"
    if key in _EXCLUDED_FROM_REPETITION:
        return None
    return key, kind


_REPETITION_RULES = {
    "adjective": th.ADJECTIVE_REPETITION,
    "noun": th.NOUN_REPETITION,
    "verb": th.VERB_REPETITION,
}


def _clustered(tokens: list[Token]) -> bool:
    """Do some occurrences fall close together, where a pronoun or synonym would do?"""
    need = th.REPETITION_CLUSTER_COUNT
    return any(
        tokens[i + need - 1].index - tokens[i].index <= th.REPETITION_CLUSTER_WORDS
        for i in range(len(tokens) - need + 1)
    )


def word_repetition(doc: Doc) -> Detection | None:
    occurrences: dict[str, list[Token]] = {}
    kinds: dict[str, list[str]] = {}
    for token in doc.tokens:
        content = _content_key(doc, token)
        if content is None:
            continue
        key, kind = content
        occurrences.setdefault(key, []).append(token)
        kinds.setdefault(key, []).append(kind)
    words = max(1, doc.word_count)
    repeated = []
    for key, tokens in occurrences.items():
        kind = max(set(kinds[key]), key=kinds[key].count)
        if len(tokens) < _REPETITION_RULES[kind].required(words):
            continue
        # A topic noun spread over the whole talk is natural; bunched together it is not.
        if kind == "noun" and not _clustered(tokens):
            continue
        repeated.append(key)
    if not repeated:
        return None
    repeated.sort(key=lambda k: -len(occurrences[k]))
    hits = [Hit(t.index, t.index, key) for key in repeated for t in occurrences[key]]
    return Detection(
        "vocabulary.word_repetition",
        hits,
        measures={key: len(occurrences[key]) for key in repeated},
    )
