"""Dagster resources: the app database as a Repository, and the configured audio store,
transcriber and analyzer as live objects.

The providers are built when a run (or a sensor tick) starts, from the settings of that
process, and handed to the assets as `ResourceParam[...]`; tests pass their own objects
under the same keys. Nothing is built when the code location loads."""

from __future__ import annotations

from dagster import (
    ConfigurableResource,
    EnvVar,
    InitResourceContext,
    ResourceDefinition,
    resource,
)
from pydantic import Field

from speaking_pipeline.analysis.base import Analyzer
from speaking_pipeline.config import Settings, get_settings
from speaking_pipeline.db.repository import Repository
from speaking_pipeline.providers import (
    build_analyzer,
    build_audio_store,
    build_transcriber,
    warm_providers,
)
from speaking_pipeline.storage.base import AudioStore
from speaking_pipeline.transcription.base import Transcriber


class DatabaseResource(ConfigurableResource):  # type: ignore[type-arg]
    """The app database. Deployments bind `url=EnvVar("DATABASE_URL")` (which `up` exports,
    for the embedded server too), so the password never shows in the UI."""

    url: str = Field(description="PostgreSQL URL of the app database.")

    def create_resource(self, context: InitResourceContext) -> Repository:
        # Dagster's documented way to vend another object than the config class: the
        # assets, sensors and checks take ResourceParam[Repository].
        return Repository(self.url)


# The outcome sensor takes the audio store, so Dagster builds it on every evaluation (each
# second), whether or not a session failed: reading the settings from the environment was
# a third of an idle evaluation's CPU, and an S3 store is a new boto3 client. One store per
# settings object of the process (tests clear `get_settings` when they change the env).
_store: tuple[Settings, AudioStore] | None = None


@resource(description="The audio store STORAGE_BACKEND selects (local files or S3/R2).")
def audio_store_resource(_: InitResourceContext) -> AudioStore:
    global _store
    settings = get_settings()
    if _store is None or _store[0] is not settings:
        # Two threads may both build one here; either store is as good as the other.
        _store = (settings, build_audio_store(settings))
    return _store[1]


@resource(description="The transcriber TRANSCRIBER selects (local Whisper or OpenAI).")
def transcriber_resource(_: InitResourceContext) -> Transcriber:
    return build_transcriber(get_settings())


@resource(description="The analyzer ANALYZER selects (heuristic, Anthropic or OpenAI).")
def analyzer_resource(_: InitResourceContext) -> Analyzer:
    return build_analyzer(get_settings())


def session_resources() -> dict[str, DatabaseResource | ResourceDefinition]:
    """The resources of the session assets, sensors and checks, as deployed."""
    return {
        "database": DatabaseResource(url=EnvVar("DATABASE_URL")),
        "audio_store": audio_store_resource,
        "transcriber": transcriber_resource,
        "analyzer": analyzer_resource,
    }


def warm_up() -> None:
    """Build the providers a run will use and load local models: a warm run worker calls
    it once per process, so runs find them ready (the resources above return the same
    cached transcriber)."""
    warm_providers(Settings())
