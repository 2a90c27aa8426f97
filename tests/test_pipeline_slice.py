"""Upload over HTTP, then the real Dagster job on a PostgreSQL-backed instance, to DONE."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import (
    DagsterEventType,
    DagsterRunStatus,
    build_run_status_sensor_context,
    build_sensor_context,
)
from sqlalchemy import select

from speaking_pipeline.db.engine import session_scope
from speaking_pipeline.db.models import SessionStatus, SpeakingSession
from speaking_pipeline.definitions import defs
from speaking_pipeline.defs.resources import DatabaseResource
from speaking_pipeline.defs.sessions.sensors import session_done_sensor, session_intake_sensor
from speaking_pipeline.domain.verbatim import is_verbatim
from tests.support import app_env, auth, client_for, dagster_instance, upload


def test_upload_to_done_through_dagster(
    monkeypatch: pytest.MonkeyPatch,
    fresh_db_url: str,
    dagster_db_url: str,
    whisper_model_dir: Path,
    tmp_path: Path,
) -> None:
    with app_env(
        monkeypatch,
        app_db_url=fresh_db_url,
        dagster_db_url=dagster_db_url,
        data_dir=tmp_path / "data",
        whisper_model_dir=whisper_model_dir,
    ) as settings:
        client = client_for(settings)
        created = upload(client, settings, "learner-a")
        session_id = str(created["id"])
        assert created["status"] == "UPLOADED"
        audio_files = list((tmp_path / "data" / "audio").rglob("audio.webm"))
        assert len(audio_files) == 1

        instance = dagster_instance(settings)
        assert instance.has_dynamic_partition("sessions", session_id)

        database = DatabaseResource(url=fresh_db_url)
        with build_sensor_context(instance=instance, resources={"database": database}) as ctx:
            result = session_intake_sensor(ctx)
        requests = result.run_requests  # type: ignore[union-attr]
        assert [r.partition_key for r in requests] == [session_id]

        job = defs.get_job_def("process_session")
        run = job.execute_in_process(partition_key=session_id, instance=instance)
        assert run.success

        success_event = next(
            e
            for e in instance.all_logs(run.run_id)
            if e.dagster_event_type == DagsterEventType.RUN_SUCCESS
        )
        dagster_run = instance.get_run_by_id(run.run_id)
        assert dagster_run is not None and dagster_run.status == DagsterRunStatus.SUCCESS
        with build_run_status_sensor_context(
            sensor_name="session_done_sensor",
            dagster_event=success_event.dagster_event,  # type: ignore[arg-type]
            dagster_instance=instance,
            dagster_run=dagster_run,
            resources={"database": database},
        ) as ctx:
            session_done_sensor(ctx)

        detail = client.get(f"/api/sessions/{session_id}", headers=auth("learner-a", settings))
        assert detail.status_code == 200
        body = detail.json()
        assert body["status"] == "DONE"
        transcript = body["transcript"]["text"]
        assert "market" in transcript.lower()
        assert body["focusNext"]
        for insight in body["insights"]:
            assert 2 <= len(insight["examples"]) <= 3
            assert all(is_verbatim(e, transcript) for e in insight["examples"])
        assert body["audioDeletedAt"] is not None
        assert not list((tmp_path / "data" / "audio").rglob("audio.*"))

        materialized = instance.get_materialized_partitions(
            __import__("dagster").AssetKey("insights")
        )
        assert session_id in materialized

        other = client.get(f"/api/sessions/{session_id}", headers=auth("learner-b", settings))
        assert other.status_code == 404

    with session_scope(fresh_db_url) as db:
        row = db.scalar(select(SpeakingSession).where(SpeakingSession.id == session_id))
        assert row is not None and row.status is SessionStatus.DONE
