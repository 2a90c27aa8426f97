"""Killed run workers and missed run events: the stuck-session sensor finishes the job."""

from __future__ import annotations

import logging
import os
import signal
import time
from pathlib import Path

import pytest
from dagster import DagsterRunStatus, RunsFilter
from dagster._daemon.monitoring.run_monitoring import check_run_timeout

from speaking_pipeline.db.engine import session_scope
from speaking_pipeline.db.models import SessionStatus, SpeakingSession
from tests.fakes.flaky import provider_resources
from tests.fault_support import (
    assert_consistent,
    feed_status_sensors,
    insight_sets,
    instance_of,
    requested_runs,
    run_job,
    start_hanging_worker,
    status_of,
    stuck_sensor_requests,
)
from tests.support import app_env, client_for, upload


def _wait_for(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_run_worker_killed_mid_step_is_retried_then_relaunched_to_done(
    monkeypatch: pytest.MonkeyPatch, fresh_db_url: str, dagster_db_url: str, tmp_path: Path
) -> None:
    with app_env(
        monkeypatch,
        app_db_url=fresh_db_url,
        dagster_db_url=dagster_db_url,
        data_dir=tmp_path / "data",
    ) as settings:
        client = client_for(settings)
        session_id = str(upload(client, settings, "learner-killed")["id"])
        [request] = requested_runs(settings, fresh_db_url)
        instance = instance_of(settings)

        # A run worker of its own, killed while the transcriber is working.
        marker = tmp_path / "transcribing"
        worker = start_hanging_worker(session_id, fresh_db_url, marker)
        try:
            _wait_for(marker.exists, 60, "the worker to start transcribing")
        finally:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(10)
        assert status_of(fresh_db_url, session_id)[0] is SessionStatus.TRANSCRIBING
        [record] = instance.get_run_records(RunsFilter(tags={"dagster/partition": session_id}))
        assert record.dagster_run.status is DagsterRunStatus.STARTED  # nobody knows it died

        # Run monitoring (the daemon) fails a run that outlives dagster/max_runtime.
        time.sleep(1.1)
        check_run_timeout(instance, record, logging.getLogger("test"), 0.0)
        run = instance.get_run_by_id(record.dagster_run.run_id)
        assert run is not None and run.status is DagsterRunStatus.FAILURE
        assert run.tags.get("dagster/will_retry") == "true"

        # Dagster will retry the run: the session is not failed, nor relaunched twice.
        feed_status_sensors(instance, run.run_id, fresh_db_url)
        assert status_of(fresh_db_url, session_id)[0] is SessionStatus.TRANSCRIBING
        monkeypatch.setenv("STUCK_SESSION_AFTER_SECS", "300")
        assert stuck_sensor_requests(settings, fresh_db_url) == []

        # The retry never comes (say the daemon was down): the stuck sensor relaunches.
        monkeypatch.setenv("STUCK_SESSION_AFTER_SECS", "0")
        [relaunch] = stuck_sensor_requests(settings, fresh_db_url)
        assert relaunch.partition_key == session_id
        assert relaunch.run_key != request.run_key
        result = run_job(
            settings, fresh_db_url, session_id, provider_resources(), tags=relaunch.tags
        )
        assert result.success

    assert status_of(fresh_db_url, session_id) == (SessionStatus.DONE, None)
    assert list(insight_sets(fresh_db_url)) == [session_id]
    assert not list((tmp_path / "data" / "audio").rglob("audio.*"))
    assert_consistent(fresh_db_url)
    monkeypatch.setenv("STUCK_SESSION_AFTER_SECS", "0")
    assert stuck_sensor_requests(settings, fresh_db_url) == []
