"""Ending a session FAILED: the learner's fixed message, and its audio deleted at once."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from speaking_pipeline.db.repository import Repository
from speaking_pipeline.domain.failures import Reason, learner_message
from speaking_pipeline.domain.lifecycle import Event
from speaking_pipeline.storage.base import AUDIO_PREFIX, AudioStore, session_of_key

logger = logging.getLogger(__name__)


def fail_session(
    repo: Repository, store: AudioStore, session_id: str, event: Event, reason: Reason
) -> bool:
    """Apply `event` (a move to FAILED) with the learner's message for `reason`, then
    delete the session's audio: a FAILED session is never transcribed, so its recording
    must not linger. False when the move did not apply (the session moved on, or is gone)."""
    moved = repo.move(session_id, event, learner_message(reason))
    delete_ended_audio(repo, store, session_id)
    return moved


def delete_ended_audio(repo: Repository, store: AudioStore, session_id: str | None = None) -> int:
    """Delete the audio of ended sessions (one, or all) that still have it; returns how many.

    The deletion is stamped (`audio_deleted_at`) after the object is gone, so a crash in
    between leaves the session listed for the next sweep rather than unrecorded bytes."""
    leftovers = repo.leftover_audio(session_id)
    for sid, key in leftovers:
        store.delete(key)
        repo.mark_audio_deleted(sid)
    return len(leftovers)


@dataclass(frozen=True)
class AudioSweep:
    ended_sessions: int  # audio of DONE/FAILED sessions deleted
    orphans: int  # objects whose session has ended or no longer exists, deleted


def sweep_audio(repo: Repository, store: AudioStore) -> AudioSweep:
    """Delete every stored recording that no live session needs.

    A live session (CREATED through ANALYZING) keeps its audio: its row is written before
    the bytes, so an upload in progress is never swept."""
    ended = delete_ended_audio(repo, store)
    by_session: dict[str, list[str]] = {}
    for key in store.keys(AUDIO_PREFIX):
        sid = session_of_key(key)
        if sid is not None:
            by_session.setdefault(sid, []).append(key)
    live = repo.live_sessions(by_session) if by_session else set()
    orphans = 0
    for sid, keys in by_session.items():
        if sid in live:
            continue
        for key in keys:
            store.delete(key)
            orphans += 1
        repo.mark_audio_deleted(sid)
    if ended or orphans:
        logger.info("audio sweep: %d ended session(s), %d orphan object(s)", ended, orphans)
    return AudioSweep(ended_sessions=ended, orphans=orphans)
