"""Accepting a processing request: shared by the QStash webhook and the direct queue."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import update

from speaking_pipeline.db import repository as repo
from speaking_pipeline.db.engine import session_scope
from speaking_pipeline.db.models import SessionStatus, SpeakingSession
from speaking_pipeline.domain.failures import Reason, learner_message
from speaking_pipeline.pipeline.failing import delete_ended_audio
from speaking_pipeline.storage.base import AudioStore


class Intake(enum.Enum):
    ACCEPTED = "accepted"  # durably recorded; the intake sensor launches the run
    ALREADY_REQUESTED = "already_requested"
    ALREADY_FINISHED = "already_finished"
    NOT_FOUND = "not_found"
    NOT_UPLOADED = "not_uploaded"
    REPLAYED = "replayed"  # this signed delivery was already accepted once


def request_processing(
    db_url: str, session_id: str, *, receipt: tuple[str, datetime] | None = None
) -> Intake:
    """Record that the session should be processed. Idempotent: duplicate deliveries of
    one session end here as ALREADY_REQUESTED or ALREADY_FINISHED and launch nothing.

    `receipt` (token id, expiry) of a signed delivery is remembered in the same
    transaction, so a replayed token is refused while a retried one after a failure is not."""
    with session_scope(db_url) as db:
        if receipt is not None and not repo.remember_delivery(db, *receipt):
            return Intake.REPLAYED
        session = db.get(SpeakingSession, session_id, with_for_update=True)
        if session is None:
            return Intake.NOT_FOUND
        if session.status in (SessionStatus.DONE, SessionStatus.FAILED):
            return Intake.ALREADY_FINISHED
        if session.status is SessionStatus.CREATED or not session.audio_url:
            return Intake.NOT_UPLOADED
        if session.processing_requested_at is not None:
            return Intake.ALREADY_REQUESTED
        db.execute(
            update(SpeakingSession)
            .where(SpeakingSession.id == session_id)
            .values(processing_requested_at=repo.utcnow())
        )
        return Intake.ACCEPTED


def record_delivery_failure(db_url: str, store: AudioStore, session_id: str) -> bool:
    """The queue gave up: fail the session and delete its audio, unless its request got
    through after all (then a run owns it and the run-status sensors decide)."""
    with session_scope(db_url) as db:
        session = db.get(SpeakingSession, session_id, with_for_update=True)
        if session is None or session.processing_requested_at is not None:
            return False
        moved = repo.move_status(
            db,
            session_id,
            SessionStatus.FAILED,
            allowed_from=(SessionStatus.CREATED, SessionStatus.UPLOADED),
            error_message=learner_message(Reason.DELIVERY_FAILED),
        )
    delete_ended_audio(db_url, store, session_id)
    return moved
