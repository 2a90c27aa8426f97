"""The session lifecycle: which status may follow which, on what event, recording what."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class SessionStatus(enum.StrEnum):
    CREATED = "CREATED"
    UPLOADED = "UPLOADED"
    TRANSCRIBING = "TRANSCRIBING"
    ANALYZING = "ANALYZING"
    DONE = "DONE"
    FAILED = "FAILED"


S = SessionStatus
IN_FLIGHT = frozenset({S.UPLOADED, S.TRANSCRIBING, S.ANALYZING})
FINISHED = frozenset({S.DONE, S.FAILED})


class Event(enum.StrEnum):
    """Something that happened to a session, named by what happened, not by the status."""

    UPLOAD_STORED = "upload_stored"  # the audio is in object storage
    TRANSCRIPTION_STARTED = "transcription_started"
    ANALYSIS_STARTED = "analysis_started"
    RUN_SUCCEEDED = "run_succeeded"  # a run covering the analysis succeeded
    RUN_FAILED = "run_failed"  # a run failed and Dagster will not retry it
    FOUND_COMPLETED = "found_completed"  # stuck, but its last run had finished the work
    ATTEMPTS_EXHAUSTED = "attempts_exhausted"  # stuck, and relaunched too often
    UPLOAD_ABANDONED = "upload_abandoned"  # the API died before the upload completed
    DELIVERY_GAVE_UP = "delivery_gave_up"  # the queue never delivered the request


class ErrorMessage(enum.Enum):
    """What a move does to the session's error message."""

    KEEP = "keep"
    SET = "set"  # the move needs a message a person can act on
    CLEAR = "clear"


@dataclass(frozen=True)
class Transition:
    event: Event
    sources: frozenset[SessionStatus]
    target: SessionStatus
    error: ErrorMessage = ErrorMessage.KEEP


def _t(
    event: Event,
    sources: Iterable[SessionStatus],
    target: SessionStatus,
    error: ErrorMessage = ErrorMessage.KEEP,
) -> Transition:
    return Transition(event, frozenset(sources), target, error)


# FAILED may be re-entered by a re-run from the Dagster UI (transcription or analysis of a
# failed session starts again), and a re-run that succeeds ends DONE. DONE is final: a
# re-analysis of a DONE session keeps it DONE while it runs.
TRANSITIONS: dict[Event, Transition] = {
    t.event: t
    for t in (
        _t(Event.UPLOAD_STORED, {S.CREATED}, S.UPLOADED),
        _t(Event.TRANSCRIPTION_STARTED, {S.UPLOADED, S.TRANSCRIBING, S.FAILED}, S.TRANSCRIBING),
        _t(Event.ANALYSIS_STARTED, {S.UPLOADED, S.TRANSCRIBING, S.FAILED}, S.ANALYZING),
        _t(Event.RUN_SUCCEEDED, {*IN_FLIGHT, S.FAILED}, S.DONE, ErrorMessage.CLEAR),
        _t(Event.RUN_FAILED, IN_FLIGHT, S.FAILED, ErrorMessage.SET),
        _t(Event.FOUND_COMPLETED, IN_FLIGHT, S.DONE, ErrorMessage.CLEAR),
        _t(Event.ATTEMPTS_EXHAUSTED, IN_FLIGHT, S.FAILED, ErrorMessage.SET),
        _t(Event.UPLOAD_ABANDONED, {S.CREATED}, S.FAILED, ErrorMessage.SET),
        _t(Event.DELIVERY_GAVE_UP, {S.CREATED, S.UPLOADED}, S.FAILED, ErrorMessage.SET),
    )
}


class MissingErrorMessage(ValueError):
    """A move to FAILED was asked for without saying why."""


def transition(event: Event, error_message: str | None = None) -> Transition:
    """The move `event` makes; checks that a failing move says why."""
    move = TRANSITIONS[event]
    if move.error is ErrorMessage.SET and not (error_message and error_message.strip()):
        raise MissingErrorMessage(f"{event.value} needs an error message")
    return move


def apply(
    status: SessionStatus, error_message: str | None, event: Event, message: str | None = None
) -> tuple[SessionStatus, str | None]:
    """The (status, error message) after `event`; unchanged when the event does not apply
    to `status` (a late or duplicated event is a no-op, never an error)."""
    move = transition(event, message)
    if status not in move.sources:
        return status, error_message
    if move.error is ErrorMessage.SET:
        return move.target, message
    if move.error is ErrorMessage.CLEAR:
        return move.target, None
    return move.target, error_message


class Intake(enum.Enum):
    """The answer to a processing request."""

    ACCEPTED = "accepted"  # durably recorded; the intake sensor launches the run
    ALREADY_REQUESTED = "already_requested"
    ALREADY_FINISHED = "already_finished"
    NOT_FOUND = "not_found"
    NOT_UPLOADED = "not_uploaded"
    REPLAYED = "replayed"  # this signed delivery was already accepted once


def intake_of(status: SessionStatus | None, *, has_audio: bool, requested: bool) -> Intake:
    """What a processing request for a session in this state amounts to."""
    if status is None:
        return Intake.NOT_FOUND
    if status in FINISHED:
        return Intake.ALREADY_FINISHED
    if status is S.CREATED or not has_audio:
        return Intake.NOT_UPLOADED
    if requested:
        return Intake.ALREADY_REQUESTED
    return Intake.ACCEPTED
