"""Helpers shared by tests: a PostgreSQL-backed Dagster instance and an app wired to it."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from dagster import DagsterInstance
from starlette.testclient import TestClient

from speaking_pipeline.cli.ports import free_port as free_port  # tests import it from here
from speaking_pipeline.config import Settings, get_settings
from speaking_pipeline.db.repository import NewSession, Repository
from speaking_pipeline.security.tokens import mint_token
from speaking_pipeline.storage.base import audio_key

SPEECH_DIR = Path(__file__).parent / "fixtures" / "audio"


@contextmanager
def app_env(
    monkeypatch: pytest.MonkeyPatch,
    *,
    app_db_url: str,
    dagster_db_url: str,
    data_dir: Path,
    whisper_model_dir: Path | None = None,
    extra: dict[str, str] | None = None,
) -> Iterator[Settings]:
    """Environment of one app + Dagster pair, as `up` would export it to its children."""
    env = {
        "DATABASE_URL": app_db_url,
        "DAGSTER_DATABASE_URL": dagster_db_url,
        "DATA_DIR": str(data_dir),
        "AUTH_JWT_SECRET": "test-secret-for-learner-tokens-0123456789",
        **(extra or {}),
    }
    if whisper_model_dir is not None:
        env["WHISPER_MODEL_DIR"] = str(whisper_model_dir)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    # The app exports these for its child processes; registering them with monkeypatch
    # makes sure they are removed again after the test.
    for key in ("DAGSTER_HOME", "SPEAKING_DAGSTER_PG_URL"):
        monkeypatch.setenv(key, "")
    for key in ("QSTASH_TOKEN", "QUEUE", "TRANSCRIBER", "ANALYZER", "STORAGE_BACKEND"):
        if key not in env:
            monkeypatch.delenv(key, raising=False)
    # Settings are read once per process by the CLI and the analytics resource.
    get_settings.cache_clear()
    yield Settings()
    get_settings.cache_clear()


def new_session(repo: Repository, prefix: str) -> NewSession:
    """A CREATED session of a learner of its own, straight through the repository."""
    return repo.start_session(
        f"{prefix}-{uuid.uuid4()}",
        duration_secs=8.0,
        language="en",
        topic=None,
        audio_format="webm",
        audio_key_for=lambda user_id, session_id: audio_key(user_id, session_id, "webm"),
    )


def client_for(settings: Settings) -> TestClient:
    from webhook.app import create_app

    return TestClient(create_app(settings))


def auth(user: str, settings: Settings) -> dict[str, str]:
    return {"Authorization": "Bearer " + mint_token(user, settings.jwt_secret())}


def dagster_instance(settings: Settings) -> DagsterInstance:
    from speaking_pipeline.orchestration.instance import instance_at

    return instance_at(str(settings.dagster_home))


def upload(
    client: TestClient,
    settings: Settings,
    user: str,
    fixture: str = "speech.webm",
    duration: str = "8",
) -> dict[str, object]:
    path = SPEECH_DIR / fixture
    with path.open("rb") as f:
        response = client.post(
            "/api/sessions",
            files={"audio": (path.name, f, "audio/webm")},
            data={"duration": duration, "topic": "weekend"},
            headers=auth(user, settings),
        )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def launch_requested_runs(settings: Settings, db_url: str) -> list[str]:
    """Evaluate the intake sensor as the daemon would, execute each requested run in-process
    on the PostgreSQL-backed instance with the configured providers, and feed its outcome
    to the run-status sensors. Returns the session ids that were launched."""
    from tests.fault_support import launch_requested

    return [
        result.dagster_run.tags["dagster/partition"]
        for result in launch_requested(settings, db_url, resources={})
    ]


def wait_for_url(url: str, timeout: float, proc: subprocess.Popen[bytes]) -> None:
    """Wait until url answers below 500, failing early if the process serving it exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "up exited early"
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {timeout} s")
