"""Ending a session FAILED: the learner's fixed message, and its audio deleted at once."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from speaking_pipeline.db import repository as repo
from speaking_pipeline.db.engine import session_scope
from speaking_pipeline.db.models import SessionStatus
from speaking_pipeline.domain.failures import Reason, learner_message
from speaking_pipeline.storage.base import AUDIO_PREFIX, AudioStore, session_of_key

logger = logging.getLogger(__name__)


def fail_session(
    db_url: str,
    store: AudioStore,
    session_id: str,
    reason: Reason,
    *,
    allowed_from: Iterable[SessionStatus] = repo.IN_FLIGHT,
) -> bool:
    """Move the session to FAILED with the learner's message for `reason`, then delete its
    audio: a FAILED session is never transcribed, so its recording must not linger.
    False when the session was not in an allowed state (or is gone)."""
    with session_scope(db_url) as db:
        moved = repo.move_status(
            db,
            session_id,
            SessionStatus.FAILED,
            allowed_from=allowed_from,
            error_message=learner_message(reason),
        )
    delete_ended_audio(db_url, store, session_id)
    return moved


def delete_ended_audio(db_url: str, store: AudioStore, session_id: str | None = None) -> int:
    """Delete the audio of ended sessions (one, or all) that still have it; returns how many.

    The deletion is stamped (`audio_deleted_at`) after the object is gone, so a crash in
    between leaves the session listed for the next sweep rather than unrecorded bytes."""
    with session_scope(db_url) as db:
        leftovers = repo.leftover_audio(db, session_id)
    for sid, key in leftovers:
        store.delete(key)
        with session_scope(db_url) as db:
            repo.mark_audio_deleted(db, sid)
    return len(leftovers)


@dataclass(frozen=True)
class AudioSweep:
    ended_sessions: int  # audio of DONE/FAILED sessions deleted
    orphans: int  # objects with no session at all (deleted sessions, lost rows) deleted


def sweep_audio(db_url: str, store: AudioStore) -> AudioSweep:
    """Delete every stored recording that no live session needs.

    A live session (CREATED through ANALYZING) keeps its audio: its row is written before
    the bytes, so an upload in progress is never swept."""
    ended = delete_ended_audio(db_url, store)
    by_session: dict[str, list[str]] = {}
    for key in store.keys(AUDIO_PREFIX):
        sid = session_of_key(key)
        if sid is not None:
            by_session.setdefault(sid, []).append(key)
    orphans = 0
    if by_session:
        with session_scope(db_url) as db:
            live = repo.live_audio_sessions(db, by_session)
        for sid, keys in by_session.items():
            if sid in live:
                continue
            for key in keys:
                store.delete(key)
                orphans += 1
            with session_scope(db_url) as db:
                repo.mark_audio_deleted(db, sid)
    if ended or orphans:
        logger.info("audio sweep: %d ended session(s), %d orphan object(s)", ended, orphans)
    return AudioSweep(ended_sessions=ended, orphans=orphans)
