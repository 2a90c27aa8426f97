"""Turns a failed run's step errors into one message a person can act on."""

from __future__ import annotations

from collections.abc import Sequence

MAX_MESSAGE = 1000
_STEP_NAMES = {
    "transcript": "transcription",
    "insights": "analysis",
    "pattern_profile": "profile update",
}


def describe_failure(steps: Sequence[tuple[str, str | None]], run_message: str | None) -> str:
    """'transcription failed: <cause>' for the first failing step, else the run's message."""
    for step_key, error in steps:
        name = _STEP_NAMES.get(step_key, step_key)
        cause = (error or "unknown error").strip().splitlines()[0] if error else "unknown error"
        return f"{name} failed: {cause}"[:MAX_MESSAGE]
    return (run_message or "processing failed").strip()[:MAX_MESSAGE]
