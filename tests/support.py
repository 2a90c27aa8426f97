"""Helpers shared by tests: a PostgreSQL-backed Dagster instance and an app wired to it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from dagster import DagsterInstance
from starlette.testclient import TestClient

from speaking_pipeline.config import Settings
from speaking_pipeline.defs.resources import reset_provider_cache
from speaking_pipeline.security.tokens import mint_token

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
    reset_provider_cache()
    yield Settings()
    reset_provider_cache()


def client_for(settings: Settings) -> TestClient:
    from webhook.app import create_app

    return TestClient(create_app(settings))


def auth(user: str, settings: Settings) -> dict[str, str]:
    return {"Authorization": "Bearer " + mint_token(user, settings.jwt_secret())}


def dagster_instance(settings: Settings) -> DagsterInstance:
    from speaking_pipeline.orchestration import instance_at

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
    """Evaluate the intake sensor as the daemon would, then execute each requested run
    in-process on the PostgreSQL-backed instance and feed its outcome to the run-status
    sensors. Returns the session ids that were launched."""
    from dagster import DagsterEventType, build_run_status_sensor_context, build_sensor_context

    from speaking_pipeline.definitions import defs
    from speaking_pipeline.defs.resources import DatabaseResource
    from speaking_pipeline.defs.sessions.sensors import (
        session_done_sensor,
        session_failed_sensor,
        session_intake_sensor,
    )

    instance = dagster_instance(settings)
    database = DatabaseResource(url=db_url)
    with build_sensor_context(instance=instance, resources={"database": database}) as ctx:
        result = session_intake_sensor(ctx)
    requests = getattr(result, "run_requests", None) or []
    job = defs.resolve_job_def("process_session")
    launched = []
    for request in requests:
        run = job.execute_in_process(
            partition_key=request.partition_key,
            instance=instance,
            raise_on_error=False,
            tags=request.tags,
        )
        final = DagsterEventType.RUN_SUCCESS if run.success else DagsterEventType.RUN_FAILURE
        event = next(e for e in instance.all_logs(run.run_id) if e.dagster_event_type == final)
        dagster_run = instance.get_run_by_id(run.run_id)
        assert dagster_run is not None
        sensor = session_done_sensor if run.success else session_failed_sensor
        with build_run_status_sensor_context(
            sensor_name=sensor.name,
            dagster_event=event.dagster_event,  # type: ignore[arg-type]
            dagster_instance=instance,
            dagster_run=dagster_run,
            resources={"database": database},
        ) as ctx:
            sensor(ctx.for_run_failure() if not run.success else ctx)
        launched.append(str(request.partition_key))
    return launched
