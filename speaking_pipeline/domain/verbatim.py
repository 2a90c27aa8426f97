"""The verbatim-example rule: examples are quotes of the transcript (case- and
whitespace-insensitive), each once, two to three per insight."""

from __future__ import annotations

import re
from collections.abc import Iterable

from speaking_pipeline.domain.schema import Analysis

MIN_EXAMPLES = 2
MAX_EXAMPLES = 3
_WS = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _WS.sub(" ", text).strip().casefold()


def is_verbatim(example: str, transcript: str) -> bool:
    needle = normalise(example)
    return bool(needle) and needle in normalise(transcript)


def verbatim_only(examples: list[str], transcript: str) -> list[str]:
    """Keep the examples that are quotes of the transcript; drop invented ones."""
    return [e for e in examples if is_verbatim(e, transcript)]


def verbatim_examples(examples: Iterable[str], transcript: str) -> list[str]:
    """The examples an insight may keep: quotes of the transcript, each once (by its
    normalised text), at most MAX_EXAMPLES, in the order given."""
    kept: list[str] = []
    seen: set[str] = set()
    for example in examples:
        key = normalise(example)
        if key in seen or not is_verbatim(example, transcript):
            continue
        seen.add(key)
        kept.append(example)
    return kept[:MAX_EXAMPLES]


def keep_verbatim(analysis: Analysis, transcript: str) -> tuple[Analysis, int]:
    """The analysis with only verbatim examples, and insights left with fewer than
    MIN_EXAMPLES dropped; also the number of examples that were not verbatim."""
    kept = []
    dropped = 0
    for insight in analysis.insights:
        examples = verbatim_examples(insight.examples, transcript)
        dropped += sum(1 for e in insight.examples if not is_verbatim(e, transcript))
        if len(examples) >= MIN_EXAMPLES:
            kept.append(insight.model_copy(update={"examples": examples}))
    return analysis.model_copy(update={"insights": kept}), dropped
