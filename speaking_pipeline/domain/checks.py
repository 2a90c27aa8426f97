"""Data-quality rules every processed session must meet, as plain functions over stored data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from speaking_pipeline.domain.schema import MAX_INSIGHTS
from speaking_pipeline.domain.taxonomy import is_valid_code
from speaking_pipeline.domain.verbatim import is_verbatim

# Enough offending values to act on, without flooding the check's metadata.
MAX_REPORTED = 10


@dataclass(frozen=True)
class CheckOutcome:
    passed: bool
    description: str
    metadata: dict[str, int | str | bool | list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class StoredInsight:
    code: str
    examples: Sequence[str]


def transcript_not_empty(text: str | None) -> CheckOutcome:
    words = len(text.split()) if text else 0
    if text is None:
        return CheckOutcome(False, "no transcript is stored", {"word_count": 0})
    if not words:
        return CheckOutcome(False, "the stored transcript is empty", {"word_count": 0})
    return CheckOutcome(True, f"{words} words", {"word_count": words})


def audio_deleted(
    *, had_audio: bool, marked_deleted: bool, still_stored: bool | None
) -> CheckOutcome:
    """Privacy: once transcribed, the audio must be gone from storage and marked so.

    `still_stored` is None when storage could not be asked (the check then relies on
    the recorded deletion)."""
    metadata: dict[str, int | str | bool | list[str]] = {
        "marked_deleted": marked_deleted,
        "still_stored": bool(still_stored),
    }
    if not had_audio:
        return CheckOutcome(True, "the session never had audio", metadata)
    if still_stored:
        return CheckOutcome(False, "the audio is still in object storage", metadata)
    if not marked_deleted:
        return CheckOutcome(False, "the audio's deletion was never recorded", metadata)
    return CheckOutcome(True, "the audio was deleted after transcription", metadata)


def at_most_five_insights(count: int) -> CheckOutcome:
    return CheckOutcome(
        count <= MAX_INSIGHTS,
        f"{count} insights (at most {MAX_INSIGHTS} allowed)",
        {"insight_count": count},
    )


def examples_are_verbatim(
    insights: Sequence[StoredInsight], transcript: str | None
) -> CheckOutcome:
    """Every example must be a quote of the transcript; anything else is a hallucination."""
    text = transcript or ""
    examples = [e for i in insights for e in i.examples]
    invented = [e for e in examples if not is_verbatim(e, text)]
    return CheckOutcome(
        not invented,
        f"{len(invented)} of {len(examples)} examples are not quotes of the transcript",
        {
            "examples": len(examples),
            "not_verbatim": len(invented),
            "not_verbatim_examples": [e[:200] for e in invented[:MAX_REPORTED]],
        },
    )


def codes_in_taxonomy(codes: Sequence[str]) -> CheckOutcome:
    unknown = sorted({c for c in codes if not is_valid_code(c)})
    return CheckOutcome(
        not unknown,
        f"{len(unknown)} codes are neither taxonomy codes nor other.<slug>",
        {"codes": len(codes), "unknown_codes": unknown[:MAX_REPORTED]},
    )
