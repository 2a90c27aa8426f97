"""Dagster resources wrapping the configured database, audio store and model providers."""

from __future__ import annotations

from dagster import ConfigurableResource

from speaking_pipeline.analysis.base import Analyzer
from speaking_pipeline.config import get_settings
from speaking_pipeline.providers import build_analyzer, build_audio_store, build_transcriber
from speaking_pipeline.storage.base import AudioStore
from speaking_pipeline.transcription.base import Transcriber

# Providers hold clients and loaded models; one per process, built on first use.
_cache: dict[str, object] = {}


def _cached(name: str, build: object) -> object:
    if name not in _cache:
        _cache[name] = build()  # type: ignore[operator]
    return _cache[name]


class DatabaseResource(ConfigurableResource):  # type: ignore[type-arg]
    """The app database; the URL defaults to the process's DATABASE_URL."""

    url: str | None = None

    def get_url(self) -> str:
        url = self.url or get_settings().database_url
        if not url:
            from speaking_pipeline.db.engine import resolve_database_urls

            url = resolve_database_urls(get_settings())[0]
        return url


class AudioStoreResource(ConfigurableResource):  # type: ignore[type-arg]
    def get_store(self) -> AudioStore:
        return _cached("store", lambda: build_audio_store(get_settings()))  # type: ignore[return-value]


class TranscriberResource(ConfigurableResource):  # type: ignore[type-arg]
    def get_transcriber(self) -> Transcriber:
        return _cached("transcriber", lambda: build_transcriber(get_settings()))  # type: ignore[return-value]


class AnalyzerResource(ConfigurableResource):  # type: ignore[type-arg]
    def get_analyzer(self) -> Analyzer:
        return _cached("analyzer", lambda: build_analyzer(get_settings()))  # type: ignore[return-value]


def reset_provider_cache() -> None:
    """Forget built providers (tests change settings between cases)."""
    _cache.clear()
    get_settings.cache_clear()
