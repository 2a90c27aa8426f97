"""Deleting a session while its run is working leaves nothing behind, and the run resurrects
nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import DagsterEventType, RunsFilter
from sqlalchemy import func, select

from speaking_pipeline.db.engine import session_scope
from speaking_pipeline.db.models import (
    InsightRow,
    PatternProfile,
    SessionStatus,
    SpeakingSession,
    Transcript,
)
from tests.fakes.flaky import FileGate, provider_resources
from tests.fault_support import (
    assert_consistent,
    finish_worker,
    instance_of,
    launch_requested,
    requested_runs,
    start_worker,
    status_of,
)
from tests.support import app_env, auth, client_for, upload


def _rows_of(db_url: str, session_id: str) -> dict[str, int]:
    with session_scope(db_url) as db:
        return {
            table.__name__: int(
                db.scalar(
                    select(func.count())
                    .select_from(table)
                    .where(
                        (table.id if table is SpeakingSession else table.session_id) == session_id
                    )
                )
                or 0
            )
            for table in (SpeakingSession, Transcript, InsightRow)
        }


@pytest.mark.parametrize("step", ["transcript", "insights"])
def test_deleting_a_session_mid_run_leaves_no_rows_files_or_profile_contribution(
    step: str,
    monkeypatch: pytest.MonkeyPatch,
    fresh_db_url: str,
    dagster_db_url: str,
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    with app_env(
        monkeypatch, app_db_url=fresh_db_url, dagster_db_url=dagster_db_url, data_dir=data
    ) as settings:
        client = client_for(settings)
        kept = str(upload(client, settings, "learner-del")["id"])
        assert len(launch_requested(settings, fresh_db_url, provider_resources())) == 1
        doomed = str(upload(client, settings, "learner-del")["id"])
        [request] = requested_runs(settings, fresh_db_url)
        assert request.partition_key == doomed

        gate = FileGate(tmp_path, "slow")
        providers = {"transcriber" if step == "transcript" else "analyzer": f"gate:{tmp_path}:slow"}
        worker = start_worker(fresh_db_url, [(doomed, request.tags)], **providers)
        gate.wait_started()
        # The learner deletes the session while the model is working on it.
        response = client.delete(f"/api/sessions/{doomed}", headers=auth("learner-del", settings))
        assert response.status_code == 200, response.text
        gate.open()
        assert finish_worker(worker) == {doomed: False}  # the run stops, it does not recreate

        instance = instance_of(settings)
        assert not instance.has_dynamic_partition("sessions", doomed)
        [run] = instance.get_runs(RunsFilter(tags={"dagster/partition": doomed}))
        failures = [
            e.dagster_event
            for e in instance.all_logs(run.run_id, of_type=DagsterEventType.STEP_FAILURE)
            if e.dagster_event is not None
        ]
        assert [f.step_key for f in failures] == [step]
        failure = failures[0].step_failure_data
        assert failure is not None and failure.user_failure_data is not None
        assert "no session" in (failure.user_failure_data.description or "")
        profile = client.get("/api/profile", headers=auth("learner-del", settings)).json()

    assert _rows_of(fresh_db_url, doomed) == {
        "SpeakingSession": 0,
        "Transcript": 0,
        "InsightRow": 0,
    }
    assert not [p for p in (data / "audio").rglob("*") if doomed in str(p)]
    assert status_of(fresh_db_url, kept) == (SessionStatus.DONE, None)
    assert _rows_of(fresh_db_url, kept)["InsightRow"] >= 1
    with session_scope(fresh_db_url) as db:
        [stored] = db.scalars(select(PatternProfile)).all()
        history_ids = {
            point["sessionId"] for p in stored.patterns.values() for point in p["history"]
        }
    assert history_ids == {kept}
    assert profile["patterns"], "the kept session still counts"
    assert_consistent(fresh_db_url)
