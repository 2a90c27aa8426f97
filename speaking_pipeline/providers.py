"""Builds the configured storage, transcriber, analyzer and queue from settings, lazily."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from speaking_pipeline.analysis.base import Analyzer
from speaking_pipeline.config import Settings
from speaking_pipeline.db.repository import Repository
from speaking_pipeline.queue.base import ProcessingQueue, RunLauncher
from speaking_pipeline.storage.base import AudioStore
from speaking_pipeline.transcription.base import Transcriber


def build_audio_store(settings: Settings) -> AudioStore:
    if settings.storage_backend == "s3":
        from speaking_pipeline.storage.s3 import S3AudioStore

        return S3AudioStore.from_settings(settings)
    from speaking_pipeline.storage.local import LocalAudioStore

    return LocalAudioStore(settings.data_dir / "audio")


def build_transcriber(settings: Settings) -> Transcriber:
    if settings.transcriber == "openai":
        from speaking_pipeline.transcription.openai_api import OpenAITranscriber

        return OpenAITranscriber.from_settings(settings)
    from speaking_pipeline.transcription.model_files import resolve_model_dir

    return _local_whisper(
        resolve_model_dir(settings.whisper_model_dir, settings.data_dir), settings.whisper_device
    )


@lru_cache(maxsize=2)
def _local_whisper(model_dir: Path, device: str) -> Transcriber:
    # One per process: a warm run worker loads the model once and every run reuses it
    # (the model is read-only; the transcriber serialises its own loading).
    from speaking_pipeline.transcription.whisper_local import LocalWhisperTranscriber

    return LocalWhisperTranscriber(model_dir, device)


def warm_providers(settings: Settings) -> None:
    """Build the configured providers and load local models now, in a worker that starts."""
    transcriber = build_transcriber(settings)
    for provider in (transcriber, build_analyzer(settings)):
        warm = getattr(provider, "warm", None)
        if callable(warm):
            warm()


def build_analyzer(settings: Settings) -> Analyzer:
    if settings.analyzer == "anthropic":
        from speaking_pipeline.analysis.anthropic_api import AnthropicAnalyzer

        return AnthropicAnalyzer.from_settings(settings)
    if settings.analyzer == "openai":
        from speaking_pipeline.analysis.openai_api import OpenAIAnalyzer

        return OpenAIAnalyzer.from_settings(settings)
    from speaking_pipeline.analysis.heuristic import HeuristicAnalyzer

    return HeuristicAnalyzer()


def analyzer_version(settings: Settings) -> str:
    """The version the configured analyzer records, without building it (no client, no
    lexicons): what the code location and the re-analysis audit compare stored work with."""
    if settings.analyzer in ("anthropic", "openai"):
        from speaking_pipeline.analysis.llm_prompt import llm_version

        model = (
            settings.anthropic_model
            if settings.analyzer == "anthropic"
            else settings.openai_analysis_model
        )
        return llm_version(settings.analyzer, model)
    from speaking_pipeline.analysis.heuristic import VERSION

    return VERSION


def build_queue(
    settings: Settings, repo: Repository, launcher: RunLauncher | None = None
) -> ProcessingQueue:
    if settings.queue_backend == "qstash":
        from speaking_pipeline.queue.qstash import QStashQueue

        return QStashQueue.from_settings(settings)
    from speaking_pipeline.queue.direct import DirectQueue

    return DirectQueue(repo, launcher)


def transcribable_language(tag: str) -> bool:
    """Whether the transcribers (local Whisper and OpenAI's alike) know the language of a
    tag such as "en" or "en-GB": the upload refuses one they would fail on later."""
    from speaking_pipeline.transcription.languages import whisper_language

    return whisper_language(tag) is not None
