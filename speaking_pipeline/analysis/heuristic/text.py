"""Tokens and sentences of a transcript, keeping character offsets so quotes stay verbatim."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from speaking_pipeline.analysis.tokens import WORD, normalise

if TYPE_CHECKING:
    from spacy.tokens import Doc as ParsedDoc
    from spacy.tokens import Token as ParsedToken

_TERMINATOR = re.compile(r"[.!?…]")
_CLAUSE_BREAK = re.compile(r"[,;:—–()\"“”]|\s-{1,2}\s|-{2}|\.\.\.")
_DASH = re.compile(r"[—–]|-{2}|\s-\s|-\s*$")

# Abbreviations whose full stop does not end a sentence.
_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "prof", "st", "vs", "etc", "approx"})
_LATIN_ABBREVIATION = re.compile(r"\b(?:e\.g|i\.e)\.?$", re.IGNORECASE)
# Below this many terminators per word the transcript is treated as unpunctuated (Whisper can
# return long stretches without full stops), and sentence-based rules stand down.
UNPUNCTUATED_WORDS_PER_TERMINATOR = 60
MIN_WORDS_TO_JUDGE_PUNCTUATION = 25


@dataclass
class Token:
    text: str
    start: int
    end: int
    index: int
    gap_before: str
    gap_after: str = ""
    sentence: int = 0

    @cached_property
    def norm(self) -> str:
        return normalise(self.text)

    @property
    def comma_before(self) -> bool:
        return bool(_CLAUSE_BREAK.search(self.gap_before)) or self.ends_sentence_before

    @property
    def comma_after(self) -> bool:
        return bool(_CLAUSE_BREAK.search(self.gap_after)) or bool(
            _TERMINATOR.search(self.gap_after)
        )

    @property
    def ends_sentence_before(self) -> bool:
        return bool(_TERMINATOR.search(self.gap_before))

    @property
    def dash_after(self) -> bool:
        return bool(_DASH.search(self.gap_after))

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


@dataclass
class Sentence:
    index: int
    tokens: list[Token]

    @property
    def start(self) -> int:
        return self.tokens[0].start

    @property
    def end(self) -> int:
        return self.tokens[-1].end

    @property
    def start_index(self) -> int:
        return self.tokens[0].index

    @property
    def end_index(self) -> int:
        return self.tokens[-1].index

    def __len__(self) -> int:
        return len(self.tokens)


@dataclass
class Doc:
    text: str
    tokens: list[Token]
    sentences: list[Sentence] = field(default_factory=list)
    # Per-transcript facts the rules compute once (e.g. which nouns it shows as countable).
    memo: dict[str, object] = field(default_factory=dict)

    @property
    def word_count(self) -> int:
        return len(self.tokens)

    @cached_property
    def terminator_count(self) -> int:
        return sum(1 for t in self.tokens if _TERMINATOR.search(t.gap_after))

    @property
    def punctuated(self) -> bool:
        """False when full stops are too sparse for sentence-level rules to mean anything."""
        if self.word_count < MIN_WORDS_TO_JUDGE_PUNCTUATION:
            return True
        if self.terminator_count == 0:
            return False
        return self.word_count / self.terminator_count <= UNPUNCTUATED_WORDS_PER_TERMINATOR

    def quote(self, first: int, last: int) -> str:
        """The verbatim text from token `first` to token `last` inclusive."""
        return self.text[self.tokens[first].start : self.tokens[last].end]

    def prev(self, token: Token, same_sentence: bool = True) -> Token | None:
        if token.index == 0:
            return None
        before = self.tokens[token.index - 1]
        if same_sentence and before.sentence != token.sentence:
            return None
        return before

    def next(self, token: Token, offset: int = 1, same_sentence: bool = True) -> Token | None:
        i = token.index + offset
        if i >= len(self.tokens) or i < 0:
            return None
        after = self.tokens[i]
        if same_sentence and after.sentence != token.sentence:
            return None
        return after

    @cached_property
    def _norms(self) -> list[str]:
        return [t.norm for t in self.tokens]

    def norms(self, start: int, length: int) -> tuple[str, ...]:
        return tuple(self._norms[start : start + length])

    @cached_property
    def parsed(self) -> ParsedDoc:
        """spaCy's tags, morphology and dependency parse of the same text (parsed on first use)."""
        from speaking_pipeline.analysis.heuristic import parser

        return parser.load()(self.text)

    def reparse(self, texts: list[str]) -> list[ParsedDoc]:
        """spaCy's parse of other texts (corrected sentences), each parsed once per transcript.
        The missing ones are parsed in one batch: spaCy has a fixed cost per call larger than
        the cost of a short sentence (2.0 ms a sentence one call each, 0.9 ms in one batch)."""
        cache = self._reparsed
        missing = list(dict.fromkeys(t for t in texts if t not in cache))
        if missing:
            from speaking_pipeline.analysis.heuristic import parser

            cache.update(zip(missing, parser.load().pipe(missing), strict=True))
        return [cache[t] for t in texts]

    @cached_property
    def _reparsed(self) -> dict[str, ParsedDoc]:
        return {}

    @cached_property
    def _starts(self) -> list[int]:
        return [t.start for t in self.tokens]

    def index_of(self, token: ParsedToken) -> int | None:
        """Index of the word token holding a spaCy token ("n't" belongs to "don't")."""
        i = bisect_right(self._starts, token.idx) - 1
        if i < 0 or self.tokens[i].end <= token.idx:
            return None
        return i


def parse(text: str) -> Doc:
    """Tokenise and split into sentences at . ! ? … (abbreviations excepted)."""
    tokens: list[Token] = []
    previous_end = 0
    for i, match in enumerate(WORD.finditer(text)):
        token = Token(
            match.group(), match.start(), match.end(), i, text[previous_end : match.start()]
        )
        if tokens:
            tokens[-1].gap_after = token.gap_before
        tokens.append(token)
        previous_end = match.end()
    if tokens:
        tokens[-1].gap_after = text[previous_end:]

    sentences: list[Sentence] = []
    current: list[Token] = []
    for token in tokens:
        token.sentence = len(sentences)
        current.append(token)
        if _TERMINATOR.search(token.gap_after) and not _is_abbreviation(token, text):
            sentences.append(Sentence(len(sentences), current))
            current = []
    if current:
        sentences.append(Sentence(len(sentences), current))
    return Doc(text, tokens, sentences)


def _is_abbreviation(token: Token, text: str) -> bool:
    if token.gap_after.strip() != ".":
        return False
    if token.norm in _ABBREVIATIONS:
        return True
    if text[token.start : token.start + 4].casefold() in ("e.g.", "i.e."):
        return True
    return bool(_LATIN_ABBREVIATION.search(text[max(0, token.start - 3) : token.end + 1]))
