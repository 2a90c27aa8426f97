"""Transcribe, analyse and profile one session: idempotent steps that are safe to retry."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update

from speaking_pipeline.analysis.base import AnalysisInput, Analyzer
from speaking_pipeline.db import repository as repo
from speaking_pipeline.db.engine import session_scope
from speaking_pipeline.db.models import SessionStatus, SpeakingSession, Transcript
from speaking_pipeline.domain.ids import is_session_id
from speaking_pipeline.domain.schema import Analysis
from speaking_pipeline.domain.verbatim import verbatim_only
from speaking_pipeline.storage.base import AudioStore
from speaking_pipeline.transcription.base import Transcriber, TranscriptionError, Word


class SessionGoneError(RuntimeError):
    """The session was deleted (or never existed); there is nothing to process."""


class NoSpeechError(TranscriptionError):
    """The transcriber heard nothing: the recording holds no speech to analyse."""


class AudioGoneError(TranscriptionError):
    """The session has no audio left and no stored transcript: nothing to transcribe."""


@dataclass(frozen=True)
class TranscribeOutcome:
    reused: bool
    word_count: int
    language: str | None
    audio_deleted: bool
    seconds: float


@dataclass(frozen=True)
class AnalyzeOutcome:
    insight_count: int
    codes: list[str]
    analyzer_version: str
    dropped_examples: int
    metadata: dict[str, Any] = field(default_factory=dict)


def _load(db: Any, session_id: str, *, lock: bool = False) -> SpeakingSession:
    """The session row; with `lock`, held until the transaction ends, so that a deletion
    waits for this write and then removes what it wrote (instead of the write landing
    after the deletion)."""
    if not is_session_id(session_id):
        raise SessionGoneError(
            "the partition key is not a session id (a UUID); was the partition added by hand?"
        )
    session = db.get(SpeakingSession, session_id, with_for_update=lock)
    if session is None:
        raise SessionGoneError(
            f"no session {session_id}: it was deleted, or the partition was added by hand"
        )
    return session  # type: ignore[no-any-return]


def transcribe_session(
    db_url: str, session_id: str, store: AudioStore, transcriber: Transcriber
) -> TranscribeOutcome:
    """Transcribe the session's audio, store the transcript, then delete the audio.

    A transcript that is already stored is reused (the audio may be gone by then), so a
    retry or a re-run from the UI never needs the audio twice."""
    started = time.monotonic()
    with session_scope(db_url) as db:
        session = _load(db, session_id)
        existing = db.scalar(select(Transcript).where(Transcript.session_id == session_id))
        repo.move_status(
            db,
            session_id,
            SessionStatus.TRANSCRIBING,
            allowed_from=(SessionStatus.UPLOADED, SessionStatus.TRANSCRIBING, SessionStatus.FAILED),
        )
        key, language = session.audio_url, session.language
        audio_gone = session.audio_deleted_at is not None

    if existing is not None:
        if key and not audio_gone:
            _delete_audio(db_url, session_id, store, key)
        return TranscribeOutcome(
            reused=True,
            word_count=existing.word_count or 0,
            language=existing.language,
            audio_deleted=True,
            seconds=time.monotonic() - started,
        )
    if not key or audio_gone:
        raise AudioGoneError(
            f"session {session_id} has no audio left to transcribe", transient=False
        )

    with store.local_copy(key) as path:
        result = transcriber.transcribe(path, language=language)
    if not result.text.strip():
        raise NoSpeechError("no speech was recognised in the recording", transient=False)

    with session_scope(db_url) as db:
        _load(db, session_id, lock=True)
        repo.store_transcript(db, session_id, result)
    _delete_audio(db_url, session_id, store, key)
    return TranscribeOutcome(
        reused=False,
        word_count=result.word_count,
        language=result.language,
        audio_deleted=True,
        seconds=time.monotonic() - started,
    )


def _delete_audio(db_url: str, session_id: str, store: AudioStore, key: str) -> None:
    # Privacy: the audio goes as soon as its transcript is safely stored.
    store.delete(key)
    with session_scope(db_url) as db:
        db.execute(
            update(SpeakingSession)
            .where(SpeakingSession.id == session_id)
            .values(audio_deleted_at=repo.utcnow())
        )


def _keep_verbatim(analysis: Analysis, transcript: str) -> tuple[Analysis, int]:
    """Enforce the verbatim rule at the storage boundary, whatever the analyzer did."""
    kept = []
    dropped = 0
    for insight in analysis.insights:
        examples = verbatim_only(insight.examples, transcript)[:3]
        dropped += len(insight.examples) - len(examples)
        if len(examples) >= 2:
            kept.append(insight.model_copy(update={"examples": examples}))
    return analysis.model_copy(update={"insights": kept}), dropped


def analyze_session(db_url: str, session_id: str, analyzer: Analyzer) -> AnalyzeOutcome:
    """Analyse the stored transcript and replace the session's insights in one transaction."""
    with session_scope(db_url) as db:
        session = _load(db, session_id)
        transcript = db.scalar(select(Transcript).where(Transcript.session_id == session_id))
        if transcript is None:
            raise RuntimeError(f"session {session_id} has no transcript to analyse")
        repo.move_status(
            db,
            session_id,
            SessionStatus.ANALYZING,
            allowed_from=(SessionStatus.UPLOADED, SessionStatus.TRANSCRIBING, SessionStatus.FAILED),
        )
        words = [Word.model_validate(w) for w in (transcript.words or [])]
        data = AnalysisInput(
            transcript=transcript.text,
            words=words,
            duration_secs=session.duration_secs,
            recurring_codes=repo.recurring_codes(db, session.user_id, excluding_session=session_id),
        )

    run = analyzer.analyze(data)
    analysis, dropped = _keep_verbatim(run.analysis, data.transcript)

    with session_scope(db_url) as db:
        # Locked, and checked after the lock: deleted meanwhile means nothing is written.
        _load(db, session_id, lock=True)
        count = repo.replace_insights(
            db,
            session_id,
            dataclasses.replace(run, analysis=analysis),
        )
    return AnalyzeOutcome(
        insight_count=count,
        codes=[i.code for i in analysis.insights],
        analyzer_version=run.analyzer_version,
        dropped_examples=dropped,
        metadata=dict(run.metadata),
    )


def measure_fluency(db_url: str, session_id: str) -> dict[str, Any]:
    """Compute the session's fluency metrics from its transcript and word timings."""
    from speaking_pipeline.analysis.fluency import compute_fluency

    with session_scope(db_url) as db:
        session = _load(db, session_id)
        transcript = db.scalar(select(Transcript).where(Transcript.session_id == session_id))
        if transcript is None:
            raise RuntimeError(f"session {session_id} has no transcript to measure")
        words = [Word.model_validate(w) for w in (transcript.words or [])]
        metrics = compute_fluency(transcript.text, words, session.duration_secs)
        values = metrics.model_dump(mode="json")
        db.execute(
            update(SpeakingSession).where(SpeakingSession.id == session_id).values(fluency=values)
        )
    return values  # type: ignore[no-any-return]


def refresh_learner_profile(db_url: str, session_id: str) -> dict[str, Any]:
    """Recompute the profile of the session's learner; returns a small summary."""
    with session_scope(db_url) as db:
        session = _load(db, session_id)
        profile = repo.recompute_profile(db, session.user_id)
        return {
            "user_id": session.user_id,
            "codes": len(profile.patterns),
            "focus_areas": [f["code"] for f in (profile.focus_areas or [])],
        }
