"""Builds the configured storage, transcriber, analyzer and queue from settings, lazily."""

from __future__ import annotations

from speaking_pipeline.analysis.base import Analyzer
from speaking_pipeline.config import Settings
from speaking_pipeline.queue.base import ProcessingQueue
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
    from speaking_pipeline.transcription.whisper_local import LocalWhisperTranscriber

    return LocalWhisperTranscriber(
        resolve_model_dir(settings.whisper_model_dir, settings.data_dir),
        device=settings.whisper_device,
    )


def build_analyzer(settings: Settings) -> Analyzer:
    if settings.analyzer == "anthropic":
        from speaking_pipeline.analysis.anthropic_api import AnthropicAnalyzer

        return AnthropicAnalyzer.from_settings(settings)
    if settings.analyzer == "openai":
        from speaking_pipeline.analysis.openai_api import OpenAIAnalyzer

        return OpenAIAnalyzer.from_settings(settings)
    from speaking_pipeline.analysis.heuristic import HeuristicAnalyzer

    return HeuristicAnalyzer()


def build_queue(settings: Settings, db_url: str) -> ProcessingQueue:
    if settings.queue_backend == "qstash":
        from speaking_pipeline.queue.qstash import QStashQueue

        return QStashQueue.from_settings(settings)
    from speaking_pipeline.queue.direct import DirectQueue

    return DirectQueue(db_url)
