"""Transcribe, analyse and profile one session: idempotent steps that are safe to retry."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

from speaking_pipeline.analysis.base import Analyzer
from speaking_pipeline.db.repository import ProfileSummary, Repository
from speaking_pipeline.domain.errors import SessionGoneError
from speaking_pipeline.domain.verbatim import keep_verbatim
from speaking_pipeline.storage.base import AudioStore
from speaking_pipeline.transcription.base import Transcriber, TranscriptionError

__all__ = [
    "AnalyzeOutcome",
    "AudioGoneError",
    "NoSpeechError",
    "SessionGoneError",
    "TranscribeOutcome",
    "analyze_session",
    "measure_fluency",
    "refresh_learner_profile",
    "transcribe_session",
]


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


def transcribe_session(
    repo: Repository, session_id: str, store: AudioStore, transcriber: Transcriber
) -> TranscribeOutcome:
    """Transcribe the session's audio, store the transcript, then delete the audio.

    A transcript that is already stored is reused (the audio may be gone by then), so a
    retry or a re-run from the UI never needs the audio twice."""
    started = time.monotonic()
    job = repo.begin_transcription(session_id)
    key = job.audio_key
    if job.existing is not None:
        if key and not job.audio_deleted:
            _delete_audio(repo, session_id, store, key)
        return TranscribeOutcome(
            reused=True,
            word_count=job.existing.word_count,
            language=job.existing.language,
            audio_deleted=True,
            seconds=time.monotonic() - started,
        )
    if not key or job.audio_deleted:
        raise AudioGoneError(
            f"session {session_id} has no audio left to transcribe", transient=False
        )

    with store.local_copy(key) as path:
        result = transcriber.transcribe(path, language=job.language)
    if not result.text.strip():
        raise NoSpeechError("no speech was recognised in the recording", transient=False)

    repo.save_transcript(session_id, result)
    _delete_audio(repo, session_id, store, key)
    return TranscribeOutcome(
        reused=False,
        word_count=result.word_count,
        language=result.language,
        audio_deleted=True,
        seconds=time.monotonic() - started,
    )


def _delete_audio(repo: Repository, session_id: str, store: AudioStore, key: str) -> None:
    # Privacy: the audio goes as soon as its transcript is safely stored.
    store.delete(key)
    repo.mark_audio_deleted(session_id)


def analyze_session(repo: Repository, session_id: str, analyzer: Analyzer) -> AnalyzeOutcome:
    """Analyse the stored transcript and replace the session's insights in one transaction."""
    data = repo.begin_analysis(session_id)
    run = analyzer.analyze(data)
    # The verbatim rule is enforced at the storage boundary, whatever the analyzer did.
    analysis, dropped = keep_verbatim(run.analysis, data.transcript)
    count = repo.save_analysis(session_id, dataclasses.replace(run, analysis=analysis))
    return AnalyzeOutcome(
        insight_count=count,
        codes=[i.code for i in analysis.insights],
        analyzer_version=run.analyzer_version,
        dropped_examples=dropped,
        metadata=dict(run.metadata),
    )


def measure_fluency(repo: Repository, session_id: str) -> dict[str, Any]:
    """Compute the session's fluency metrics from its transcript and word timings."""
    from speaking_pipeline.analysis.fluency import compute_fluency

    text, words, duration_secs = repo.timed_transcript(session_id)
    values: dict[str, Any] = compute_fluency(text, words, duration_secs).model_dump(mode="json")
    repo.save_fluency(session_id, values)
    return values


def refresh_learner_profile(repo: Repository, session_id: str) -> ProfileSummary:
    """Recompute the profile of the session's learner; returns a small summary."""
    return repo.refresh_profile_of_session(session_id)
