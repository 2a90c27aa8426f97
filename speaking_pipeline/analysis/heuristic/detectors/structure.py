"""Structure detectors: repetitive starters, run-ons, only-short sentences and false starts."""

from __future__ import annotations

from collections import Counter

from speaking_pipeline.analysis.heuristic import lexicons as lx
from speaking_pipeline.analysis.heuristic import morphology as morph
from speaking_pipeline.analysis.heuristic import thresholds as th
from speaking_pipeline.analysis.heuristic.detectors.vocabulary import so_is_intensifier
from speaking_pipeline.analysis.heuristic.findings import Detection, Hit
from speaking_pipeline.analysis.heuristic.text import Doc, Sentence, Token

# Openers that belong to other codes (connectors, fillers) and are skipped to find the starter.
_SKIPPED_OPENERS = frozenset(
    {
        "um",
        "uh",
        "er",
        "erm",
        "umm",
        "uhm",
        "so",
        "and",
        "but",
        "then",
        "well",
        "okay",
        "ok",
        "like",
        "also",
        "because",
        "or",
        "yeah",
        "yes",
        "plus",
        "anyway",
        "basically",
        "oh",
    }
)


def _content_tokens(sentence: Sentence) -> list[Token]:
    """The sentence without leading connectors and fillers."""
    tokens = sentence.tokens
    i = 0
    while i < len(tokens) - 1 and tokens[i].norm in _SKIPPED_OPENERS:
        i += 1
    return tokens[i:]


def _spoken_length(sentence: Sentence) -> int:
    return sum(1 for t in sentence.tokens if t.norm not in lx.FILLED_PAUSES)


# --- structure.repetitive_starters ------------------------------------------------------------


def repetitive_starters(doc: Doc) -> Detection | None:
    if not doc.punctuated or len(doc.sentences) < th.STARTER_MIN_SENTENCES:
        return None
    openings = [_content_tokens(s) for s in doc.sentences]
    total = len(openings)
    best: tuple[int, str, int] | None = None  # (count, key, n)
    for n in (3, 2, 1):
        counts = Counter(
            " ".join(t.norm for t in tokens[:n]) for tokens in openings if len(tokens) > n
        )
        for key, count in counts.items():
            share = count / total
            if n > 1:
                ok = count >= th.STARTER_PHRASE.min_count and share >= th.STARTER_PHRASE_SHARE
            else:
                needed = th.STARTER_I_SHARE if key == "i" else th.STARTER_WORD_SHARE
                ok = count >= th.STARTER_WORD.min_count and share >= needed
            if ok and (best is None or count > best[0] or (count == best[0] and n > best[2])):
                best = (count, key, n)
        if best is not None:
            break
    if best is None:
        return None
    count, key, n = best
    hits = []
    for tokens in openings:
        if len(tokens) > n and " ".join(t.norm for t in tokens[:n]) == key:
            end = min(tokens[-1].index, tokens[0].index + 7)
            hits.append(
                Hit(tokens[0].index, tokens[n - 1].index, key, quote_span=(tokens[0].index, end))
            )
    return Detection(
        "structure.repetitive_starters", hits, measures={"share": round(count / total, 2)}
    )


# --- structure.run_on_sentences ---------------------------------------------------------------

_AND_CLAUSE_NEXT = frozenset(
    lx.SUBJECT_PRONOUNS
    | {
        "then",
        "there",
        "so",
        "the",
        "my",
        "our",
        "his",
        "her",
        "their",
        "after",
        "everything",
        "nobody",
        "everyone",
        "now",
        "in",
        "at",
    }
)


def _is_link(doc: Doc, token: Token) -> bool:
    """A link between clauses: and (not between two nouns), and then, so, but, then, because."""
    norm = token.norm
    after = doc.next(token)
    before = doc.prev(token)
    if norm == "and":
        if after is None or before is None:
            return False
        if after.norm in _AND_CLAUSE_NEXT or morph.is_simple_past(after.norm):
            return True
        # "cheese and bread", "tired and happy" join words, not clauses.
        joins_words = (
            (morph.is_noun(before.norm) or morph.is_adjective(before.norm))
            and (morph.is_noun(after.norm) or morph.is_adjective(after.norm))
            and after.norm not in lx.DETERMINERS
        )
        return not joins_words
    if norm == "so":
        if before is not None and before.norm == "and":
            return False
        return not so_is_intensifier(doc, token) and (
            after is not None and after.norm not in ("far", "that", "much", "many", "on")
        )
    if norm == "but":
        return True
    if norm == "because":
        return before is not None
    if norm == "then":
        return before is not None and before.norm not in ("and", "since", "until", "by", "back")
    return False


def _links(doc: Doc, tokens: list[Token]) -> list[Token]:
    return [t for t in tokens if _is_link(doc, t)]


def _window(doc: Doc, links: list[Token], start: int) -> tuple[int, int]:
    """A quote spanning about three chained clauses from link `start`."""
    # Start on a link ("and the train was full so ...") so the quote reads as the chain it is.
    first = links[start].index
    end_link = links[min(start + 2, len(links) - 1)]
    last = min(end_link.index + 4, first + 15)
    last = min(last, doc.sentences[links[start].sentence].end_index)
    return first, last


def run_on_sentences(doc: Doc) -> Detection | None:
    hits: list[Hit] = []
    groups = [s.tokens for s in doc.sentences] if doc.punctuated else _chains(doc)
    run_ons = 0
    for tokens in groups:
        links = _links(doc, tokens)
        words = len(tokens)
        commas = sum(1 for t in tokens[1:] if t.comma_before)
        if doc.punctuated:
            is_run_on = (
                words >= th.RUN_ON_MIN_WORDS
                and len(links) >= th.RUN_ON_MIN_LINKS
                and words / len(links) <= th.RUN_ON_WORDS_PER_LINK
                and commas <= th.RUN_ON_MAX_COMMAS_PER_LINK * len(links)
            )
        else:
            is_run_on = len(links) >= th.RUN_ON_CHAIN_LINKS
        if not is_run_on:
            continue
        # Without full stops one chain can hold several run-on sentences: one per 4 links.
        run_ons += 1 if doc.punctuated else len(links) // th.RUN_ON_CHAIN_LINKS
        for start in range(0, len(links) - 1, 3):
            first, last = _window(doc, links, start)
            hits.append(
                Hit(links[start].index, links[start].index, "run-on", quote_span=(first, last))
            )
    if not run_ons:
        return None
    return Detection("structure.run_on_sentences", hits, frequency_override=run_ons)


def _chains(doc: Doc) -> list[list[Token]]:
    """Unpunctuated text: stretches where clause links follow each other closely."""
    chains: list[list[Token]] = []
    current: list[Token] = []
    last_link = -10_000
    for token in doc.tokens:
        if _is_link(doc, token):
            if token.index - last_link > th.RUN_ON_CHAIN_GAP_WORDS and current:
                chains.append(current)
                current = []
            last_link = token.index
        current.append(token)
    if current:
        chains.append(current)
    return chains


# --- structure.short_sentences ----------------------------------------------------------------


def _subordinate_clauses(sentence: Sentence) -> int:
    return sum(1 for t in sentence.tokens if t.norm in lx.SUBORDINATORS and t.norm != "that")


def short_sentences(doc: Doc) -> Detection | None:
    sentences = doc.sentences
    if not doc.punctuated or len(sentences) < th.SHORT_MIN_SENTENCES:
        return None
    lengths = [_spoken_length(s) for s in sentences]
    mean = sum(lengths) / len(lengths)
    short = [s for s, n in zip(sentences, lengths, strict=True) if n <= th.SHORT_SENTENCE_WORDS]
    share = len(short) / len(sentences)
    subordination = sum(_subordinate_clauses(s) for s in sentences) / len(sentences)
    if (
        mean > th.SHORT_MAX_MEAN_WORDS
        or share < th.SHORT_MIN_SHARE
        or subordination > th.SHORT_MAX_SUBORDINATION
    ):
        return None
    hits = []
    short_ids = {s.index for s in short}
    i = 0
    while i < len(sentences) - 1:
        if sentences[i].index in short_ids and sentences[i + 1].index in short_ids:
            pair = (sentences[i].start_index, sentences[i + 1].end_index)
            hits.append(Hit(pair[0], pair[0], "short", quote_span=pair))
            i += 2
        else:
            i += 1
    return Detection(
        "structure.short_sentences",
        hits,
        frequency_override=len(short),
        measures={
            "mean_words": round(mean, 1),
            "share_short": round(share, 2),
            "subordinate_per_sentence": round(subordination, 2),
        },
    )


# --- structure.false_starts -------------------------------------------------------------------

_REPEAT_OK = frozenset(
    lx.INTENSIFIERS
    | {
        "that",
        "had",
        "no",
        "bye",
        "ha",
        "yeah",
        "yes",
        "more",
        "again",
        "far",
        "too",
        "hmm",
        "um",
        "uh",
        "blah",
        "la",
        "knock",
        "tick",
        "bla",
        "many",
        "much",
        "well",
        "do",
        "is",
    }
)
_RESTART_WORDS = frozenset(
    {
        "was",
        "were",
        "is",
        "are",
        "the",
        "a",
        "an",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "will",
        "can",
        "would",
        "have",
        "has",
        "had",
        "do",
        "did",
        "i",
        "we",
        "he",
        "she",
        "they",
    }
)


def false_starts(doc: Doc) -> Detection | None:
    hits: list[Hit] = []
    # Filled pauses inside a restart ("who, um, who works") are skipped when comparing words.
    spoken = [t for t in doc.tokens if t.norm not in lx.FILLED_PAUSES]
    i = 0
    while i < len(spoken):
        hit = _restart_at(doc, spoken, i)
        if hit is not None:
            hits.append(hit)
            while i < len(spoken) and spoken[i].index <= hit.last:
                i += 1
        else:
            i += 1
    return Detection("structure.false_starts", hits) if hits else None


# "The thing is, his flat is full" is a cleft, not a restart.
_CLEFT_NOUNS = frozenset(
    {
        "thing",
        "problem",
        "point",
        "truth",
        "question",
        "fact",
        "issue",
        "idea",
        "reason",
        "trouble",
        "result",
        "answer",
        "difference",
        "plan",
        "worst",
        "best",
        "funny",
        "good",
    }
)


def _same_sentence(tokens: list[Token]) -> bool:
    return all(t.sentence == tokens[0].sentence for t in tokens)


def _restart_at(doc: Doc, spoken: list[Token], i: int) -> Hit | None:
    for n in (3, 2):
        first, second = spoken[i : i + n], spoken[i + n : i + 2 * n]
        if len(second) < n:
            continue
        words = [t.norm for t in first]
        repeated = words == [t.norm for t in second] and _same_sentence(first + second)
        if repeated and not set(words) <= _REPEAT_OK:
            return Hit(first[0].index, second[-1].index, " ".join(words))
    token = spoken[i]
    after = spoken[i + 1] if i + 1 < len(spoken) else None
    if after is None or after.sentence != token.sentence:
        return None
    if after.norm == token.norm and token.norm not in _REPEAT_OK:
        return Hit(token.index, after.index, token.norm)
    if token.norm == "so" and after.norm == "so" and token.comma_after:
        # "so, so, so": a hesitation, not an intensifier ("so so good") or a connector.
        run_end = after
        for nxt in spoken[i + 2 :]:
            if nxt.norm != "so" or not run_end.comma_after or nxt.sentence != token.sentence:
                break
            run_end = nxt
        return Hit(token.index, run_end.index, "so, so")
    if (
        len(token.norm) <= 3
        and token.gap_after.lstrip().startswith("-")
        and after.norm.startswith(token.norm)
        and after.norm != token.norm
    ):
        return Hit(token.index, after.index, f"{token.norm}-")
    cleft = i > 0 and spoken[i - 1].norm in _CLEFT_NOUNS
    if token.norm in _RESTART_WORDS and (token.comma_after or token.dash_after) and not cleft:
        for offset in (2, 3):
            if i + offset < len(spoken):
                again = spoken[i + offset]
                if again.sentence == token.sentence and again.norm == token.norm:
                    return Hit(token.index, again.index, token.norm)
    if token.dash_after:
        before = {t.norm for t in spoken[max(0, i - 2) : i + 1]}
        lemmas = {morph.verb_lemma(n) for n in before} - {None}
        for offset in (1, 2):
            if i + offset >= len(spoken):
                break
            again = spoken[i + offset]
            if again.sentence != token.sentence:
                break
            if again.norm in before or morph.verb_lemma(again.norm) in lemmas:
                # Quote through the repair: "we go— we went".
                last = again.index
                if again.norm in lx.SUBJECT_PRONOUNS and i + offset + 1 < len(spoken):
                    last = spoken[i + offset + 1].index
                return Hit(spoken[max(0, i - 1)].index, last, "restart")
    return None
