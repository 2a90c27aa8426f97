"""Turns a failed run's step errors into one message a person can act on."""

from __future__ import annotations

import enum
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


class Reason(enum.StrEnum):
    """Why a session ended FAILED, as a learner is told. The learner sees only these fixed
    messages; the technical cause goes to the logs, the run's tags and Dagster's event log."""

    NO_SPEECH = "no_speech"
    UNREADABLE_AUDIO = "unreadable_audio"
    AUDIO_MISSING = "audio_missing"
    SERVICE_UNAVAILABLE = "service_unavailable"
    INTERRUPTED = "interrupted"
    UPLOAD_INCOMPLETE = "upload_incomplete"
    DELIVERY_FAILED = "delivery_failed"
    ANALYSIS_FAILED = "analysis_failed"
    INTERNAL = "internal"


LEARNER_MESSAGES: dict[Reason, str] = {
    Reason.NO_SPEECH: (
        "We could not hear any speech in this recording. Please record again, closer to the "
        "microphone."
    ),
    Reason.UNREADABLE_AUDIO: (
        "This recording could not be transcribed. Please record and upload it again."
    ),
    Reason.AUDIO_MISSING: (
        "The recording was no longer available to process. Please record and upload it again."
    ),
    Reason.SERVICE_UNAVAILABLE: (
        "Our processing service was unavailable for too long. Please upload the recording "
        "again in a few minutes."
    ),
    Reason.INTERRUPTED: (
        "Processing was interrupted and could not be finished. Please upload the recording again."
    ),
    Reason.UPLOAD_INCOMPLETE: "The upload did not complete. Please record and upload again.",
    Reason.DELIVERY_FAILED: (
        "We could not start processing this recording. Please upload it again."
    ),
    Reason.ANALYSIS_FAILED: ("We could not analyse this recording. Please upload it again later."),
    Reason.INTERNAL: (
        "Something went wrong while processing this recording. Please upload it again."
    ),
}

# Run tag keys of a failed session run: shown on the run and partition pages of the UI.
FAILURE_REASON_TAG = "speaking/failure_reason"
FAILURE_STEP_TAG = "speaking/failure_step"


def learner_message(reason: Reason) -> str:
    return LEARNER_MESSAGES[reason]


def reason_of(value: object) -> Reason | None:
    try:
        return Reason(str(value))
    except ValueError:
        return None


def reason_for_step(step_key: str | None, declared: Reason | None) -> Reason:
    """The reason of a failed step: the one the step declared (a permanent failure), else
    what exhausting the retries means for that step (its provider or the database stayed
    unavailable)."""
    if declared is not None:
        return declared
    if step_key in ("transcript", "insights"):
        return Reason.SERVICE_UNAVAILABLE
    if step_key is None or step_key == "run":
        return Reason.INTERRUPTED
    return Reason.INTERNAL
