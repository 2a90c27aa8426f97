"""Runtime configuration read from the environment or `.env`, in one typed place."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from speaking_pipeline.security.qstash_signature import PROCESS_FAILED_PATH, destination_url

# The providers' model defaults, here once: Settings and the provider classes both use them.
DEFAULT_OPENAI_TRANSCRIBE_MODEL = "whisper-1"
DEFAULT_ANTHROPIC_MODEL = "claude-haiku-4-5-20251001"
DEFAULT_OPENAI_ANALYSIS_MODEL = "gpt-4o-mini"


class MissingSettingError(RuntimeError):
    """A provider was selected but a variable it needs is unset."""

    def __init__(self, variable: str, purpose: str) -> None:
        super().__init__(f"{variable} is not set: it is required for {purpose}")
        self.variable = variable


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str | None = None
    dagster_database_url: str | None = None
    data_dir: Path = Path(".data")

    app_url: str = "http://127.0.0.1:8000"
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    dagster_host: str = "127.0.0.1"
    dagster_port: int = 3000
    # The webserver the API launches session runs through, right after it records the
    # request (`up` sets it for its API). Unset: the intake sensor launches every run.
    dagster_graphql_url: str | None = None
    # How long a recorded request may wait for the launch at intake before the intake
    # sensor launches it instead (with no DAGSTER_GRAPHQL_URL, the sensor launches at once).
    intake_backstop_secs: float = 5.0
    # Where runs execute: "warm" Celery run workers started by `up` (default), or
    # "process", Dagster's default of one new process per run.
    run_workers: Literal["warm", "process"] = "warm"
    # The run workers' broker: RabbitMQ for production and scale-out (amqp://...). Unset:
    # the Dagster database itself (kombu's SQLAlchemy transport), no extra server.
    broker_url: SecretStr | None = None
    # Run worker processes `up` starts (each runs one session at a time); 0: none, the
    # workers run elsewhere (`speaking-pipeline worker`).
    worker_concurrency: int = Field(default=2, ge=0)
    # The broker queue the runs go to and the workers take them from.
    worker_queue: str = "dagster"

    queue: Literal["direct", "qstash"] | None = None
    qstash_token: SecretStr | None = None
    qstash_url: str | None = None
    qstash_current_signing_key: SecretStr | None = None
    qstash_next_signing_key: SecretStr | None = None

    storage_backend: Literal["local", "s3"] = "local"
    s3_endpoint_url: str | None = None
    s3_bucket: str | None = Field(
        default=None, validation_alias=AliasChoices("S3_BUCKET", "R2_BUCKET_NAME")
    )
    s3_access_key_id: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("S3_ACCESS_KEY_ID", "R2_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"),
    )
    s3_secret_access_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "S3_SECRET_ACCESS_KEY", "R2_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"
        ),
    )
    s3_region: str = "auto"
    r2_account_id: str | None = None

    transcriber: Literal["whisper-local", "openai"] = "whisper-local"
    whisper_model_dir: Path | None = None
    whisper_device: str = "auto"
    # CTranslate2 threads per transcribing process. 0: in a run worker started by `up` or
    # `worker`, its share of the cores (orchestration/workers.py: worker_environment);
    # elsewhere CTranslate2's own default.
    whisper_cpu_threads: int = Field(default=0, ge=0)
    openai_transcribe_model: str = DEFAULT_OPENAI_TRANSCRIBE_MODEL

    analyzer: Literal["heuristic", "anthropic", "openai"] = "heuristic"
    anthropic_model: str = DEFAULT_ANTHROPIC_MODEL
    openai_analysis_model: str = DEFAULT_OPENAI_ANALYSIS_MODEL

    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    anthropic_api_key: SecretStr | None = None
    anthropic_base_url: str | None = None

    auth_jwt_secret: SecretStr | None = None
    auth_jwks_url: str | None = None
    auth_issuer: str | None = None
    auth_audience: str | None = None

    max_upload_bytes: int = 50 * 1024 * 1024

    @property
    def queue_backend(self) -> Literal["direct", "qstash"]:
        if self.queue is not None:
            return self.queue
        return "qstash" if self.qstash_token is not None else "direct"

    @property
    def process_url(self) -> str:
        return destination_url(self.app_url)

    @property
    def process_failed_url(self) -> str:
        return destination_url(self.app_url, PROCESS_FAILED_PATH)

    @property
    def resolved_s3_endpoint_url(self) -> str | None:
        if self.s3_endpoint_url:
            return self.s3_endpoint_url
        if self.r2_account_id:
            return f"https://{self.r2_account_id}.r2.cloudflarestorage.com"
        return None

    @property
    def dagster_home(self) -> Path:
        return (self.data_dir / "dagster").resolve()

    def jwt_secret(self) -> str:
        """The HS256 secret for learner tokens; a local default is derived when unset."""
        if self.auth_jwt_secret is not None:
            return self.auth_jwt_secret.get_secret_value()
        return _local_secret(self.data_dir)


def _local_secret(data_dir: Path) -> str:
    # Offline use needs no configuration, yet a fixed default secret would let anyone
    # mint tokens; a random one kept under DATA_DIR is private to this machine.
    import secrets

    path = data_dir / "auth_jwt_secret"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    path.write_text(value)
    path.chmod(0o600)
    return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
