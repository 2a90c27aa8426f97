"""Accepting a processing request: shared by the QStash webhook and the direct queue."""

from __future__ import annotations

import logging
from datetime import datetime

from speaking_pipeline.db.repository import Repository
from speaking_pipeline.domain.failures import Reason, learner_message
from speaking_pipeline.domain.lifecycle import Intake
from speaking_pipeline.domain.run_tags import run_tags
from speaking_pipeline.pipeline.failing import delete_ended_audio
from speaking_pipeline.queue.base import RunLauncher
from speaking_pipeline.storage.base import AudioStore

__all__ = ["Intake", "RunLauncher", "record_delivery_failure", "request_processing"]

logger = logging.getLogger(__name__)


def _tags_of(repo: Repository, session_id: str) -> dict[str, str]:
    """The run tags the intake sensor would give the session's run (analysts filter by
    them, whoever launched it)."""
    session = repo.session(session_id)
    if session is None:
        return {}
    return run_tags(session_id, session.user_id, session.created_at)


def request_processing(
    repo: Repository,
    session_id: str,
    *,
    receipt: tuple[str, datetime] | None = None,
    launcher: RunLauncher | None = None,
) -> Intake:
    """Record that the session should be processed, then launch its run at once.

    The recorded request is the durable point: it is committed before the launch, so a
    crash or a failed launch after it loses nothing - the intake sensor launches any
    request no run picked up (its backstop). Only the delivery that recorded the request
    (ACCEPTED) launches; a duplicate one ends as ALREADY_REQUESTED or ALREADY_FINISHED and
    launches nothing, so one request never gets two runs from here.

    `receipt` (token id, expiry) of a signed delivery is remembered in the same
    transaction, so a replayed token is refused while a retried one after a failure is not."""
    outcome = repo.request_processing(session_id, receipt)
    if outcome is Intake.ACCEPTED and launcher is not None:
        try:
            launcher.launch(session_id, _tags_of(repo, session_id))
        # Any failure leaves the run to the backstop.
        except Exception as error:
            # The class only: the message may carry the session id (learner ids stay
            # out of logs).
            logger.warning(
                "launch at intake failed (%s); the intake sensor will launch the run",
                type(error).__name__,
            )
    return outcome


def record_delivery_failure(repo: Repository, store: AudioStore, session_id: str) -> bool:
    """The queue gave up: fail the session and delete its audio, unless its request got
    through after all (then a run owns it and the outcome sensor decides)."""
    failed = repo.record_delivery_failure(session_id, learner_message(Reason.DELIVERY_FAILED))
    delete_ended_audio(repo, store, session_id)
    return failed
