"""Turns a failed run's step errors into one message a person can act on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

MAX_MESSAGE = 1000


def describe_failure(
    steps: Sequence[tuple[str, str | None]],
    run_message: str | None,
    step_names: Mapping[str, str] | None = None,
) -> str:
    """'transcription failed: <cause>' for the first failing step (named by `step_names`,
    else by its key), else the run's message."""
    for step_key, error in steps:
        name = (step_names or {}).get(step_key, step_key)
        cause = (error or "unknown error").strip().splitlines()[0] if error else "unknown error"
        return f"{name} failed: {cause}"[:MAX_MESSAGE]
    return (run_message or "processing failed").strip()[:MAX_MESSAGE]


def error_text(cls_name: str | None, message: str | None) -> str | None:
    """The first line of a recorded error, with the class name unqualified: Dagster records
    'package.module.Error: text', of which 'Error: text' is what a person needs."""
    lines = (message or "").strip().splitlines()
    if not lines:
        return None
    head, sep, rest = lines[0].partition(": ")
    if sep and cls_name and head.endswith(cls_name):
        return f"{cls_name}: {rest}"
    return lines[0]
