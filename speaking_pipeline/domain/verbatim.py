"""Checks that quoted examples really occur in the transcript (case- and whitespace-insensitive)."""

from __future__ import annotations

import re

_WS = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _WS.sub(" ", text).strip().casefold()


def is_verbatim(example: str, transcript: str) -> bool:
    needle = normalise(example)
    return bool(needle) and needle in normalise(transcript)


def verbatim_only(examples: list[str], transcript: str) -> list[str]:
    """Keep the examples that are quotes of the transcript; drop invented ones."""
    return [e for e in examples if is_verbatim(e, transcript)]
