"""Accepting a processing request: shared by the QStash webhook and the direct queue."""

from __future__ import annotations

from datetime import datetime

from speaking_pipeline.db.repository import Repository
from speaking_pipeline.domain.failures import Reason, learner_message
from speaking_pipeline.domain.lifecycle import Intake
from speaking_pipeline.pipeline.failing import delete_ended_audio
from speaking_pipeline.storage.base import AudioStore

__all__ = ["Intake", "record_delivery_failure", "request_processing"]


def request_processing(
    repo: Repository, session_id: str, *, receipt: tuple[str, datetime] | None = None
) -> Intake:
    """Record that the session should be processed. Idempotent: duplicate deliveries of
    one session end here as ALREADY_REQUESTED or ALREADY_FINISHED and launch nothing.

    `receipt` (token id, expiry) of a signed delivery is remembered in the same
    transaction, so a replayed token is refused while a retried one after a failure is not."""
    return repo.request_processing(session_id, receipt)


def record_delivery_failure(repo: Repository, store: AudioStore, session_id: str) -> bool:
    """The queue gave up: fail the session and delete its audio, unless its request got
    through after all (then a run owns it and the run-status sensors decide)."""
    failed = repo.record_delivery_failure(session_id, learner_message(Reason.DELIVERY_FAILED))
    delete_ended_audio(repo, store, session_id)
    return failed
