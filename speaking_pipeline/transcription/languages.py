"""The spoken languages the transcribers accept (Whisper's list, local and OpenAI alike)."""

from __future__ import annotations


def whisper_language(tag: str) -> str | None:
    """Whisper's code for a tag such as "en" or "en-GB", or None when Whisper has none."""
    # faster-whisper's own list: the same languages as OpenAI's Whisper API. Imported here,
    # not at module load, so that nothing heavy loads until an upload names a language.
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    primary = tag.strip().lower().replace("_", "-").split("-", 1)[0]
    return primary if primary in _LANGUAGE_CODES else None
