"""The learner's session use cases: a new recording, and deleting a session."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from speaking_pipeline.audio.probe import AudioInfo
from speaking_pipeline.db.models import SpeakingSession
from speaking_pipeline.db.repository import Repository
from speaking_pipeline.domain.lifecycle import Event
from speaking_pipeline.queue.base import ProcessingQueue
from speaking_pipeline.storage.base import AudioStore, audio_key

logger = logging.getLogger(__name__)


class SessionPartitions(Protocol):
    """Where the orchestrator keeps one partition per session (orchestration/partitions.py)."""

    def register_upload(
        self, session_id: str, *, audio_format: str, size_bytes: int, duration_secs: float | None
    ) -> None:
        """Add the session's partition and report its uploaded audio (metadata only)."""
        ...

    def remove(self, session_id: str) -> None: ...


@dataclass(frozen=True)
class Services:
    """What the use cases work with, built once per process."""

    repo: Repository
    store: AudioStore
    queue: ProcessingQueue
    partitions: SessionPartitions


def create_session(
    services: Services,
    external_id: str,
    path: Path,
    info: AudioInfo,
    *,
    duration: float,
    language: str,
    topic: str | None,
) -> SpeakingSession:
    """Store a new recording and ask for it to be processed.

    Each step leaves a state the sensors recover from: a session still CREATED (the API
    died before the bytes were stored and registered) is failed and its bytes deleted; an
    UPLOADED one whose request was lost is requested again."""
    repo = services.repo
    new = repo.start_session(
        external_id,
        # The decoded length beats the client's claim; the claim covers undecodable lengths.
        duration_secs=info.duration_secs or duration,
        language=language,
        topic=topic,
        audio_format=info.extension,
        audio_key_for=lambda user_id, session_id: audio_key(user_id, session_id, info.extension),
    )
    with path.open("rb") as data:
        services.store.put(new.audio_key, data, info.mime_type)
    # The partition exists before the session counts as UPLOADED, so every session a run
    # may be launched for has one.
    services.partitions.register_upload(
        new.id,
        audio_format=info.extension,
        size_bytes=path.stat().st_size,
        duration_secs=info.duration_secs,
    )
    repo.move(new.id, Event.UPLOAD_STORED)
    try:
        services.queue.enqueue(new.id)
    except Exception as error:
        # The upload is safe in storage and the stuck-session sensor relaunches it; the
        # learner should not be asked to upload again.
        logger.warning(
            "enqueue of %s failed (%s); left for the stuck-session sensor",
            new.id,
            type(error).__name__,
        )
    session = repo.session(new.id)
    assert session is not None
    return session


def delete_session(services: Services, external_id: str, session_id: str) -> bool:
    """Delete the learner's session, its audio and its partition, and take it out of their
    profile; False when it is not theirs (or gone)."""
    deleted = services.repo.delete_owned_session(external_id, session_id)
    if deleted is None:
        return False
    if deleted.audio_key:
        services.store.delete(deleted.audio_key)
    services.partitions.remove(session_id)
    return True
