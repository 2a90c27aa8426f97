"""Killed run workers and missed run events: the stuck-session sensor finishes the job."""

from __future__ import annotations

import logging
import os
import signal
import time
from pathlib import Path

import pytest
from dagster import DagsterRunStatus, RunRequest, RunsFilter
from dagster._daemon.monitoring.run_monitoring import check_run_timeout

from speaking_pipeline.config import Settings
from speaking_pipeline.db.models import SessionStatus
from speaking_pipeline.domain.failures import Reason, learner_message
from speaking_pipeline.domain.recovery import MAX_PROCESS_ATTEMPTS, Recovery, StuckSession, decide
from tests.fakes.fake_qstash import FakeQStash
from tests.fakes.flaky import FastTranscriber, FileGate, FlakyTranscriber, provider_resources
from tests.fault_support import (
    assert_consistent,
    feed_status_sensors,
    insight_sets,
    instance_of,
    requested_runs,
    run_job,
    start_worker,
    status_of,
    stuck_sensor_requests,
)
from tests.support import app_env, client_for, upload

pytest_plugins = ["tests.fakes.fixtures"]


def _kill_worker_mid_transcription(
    settings: Settings, db_url: str, tmp_path: Path, learner: str, tags: dict[str, str]
) -> tuple[str, RunRequest]:
    """Upload a session and start its run in a worker of its own, killed (SIGKILL) while
    the transcriber is working; returns the session id and the intake's run request."""
    session_id = str(upload(client_for(settings), settings, learner)["id"])
    [request] = requested_runs(settings, db_url)
    gate = FileGate(tmp_path, "transcribing")
    worker = start_worker(
        db_url,
        [(session_id, {**request.tags, **tags})],
        transcriber=f"gate:{tmp_path}:transcribing",
    )
    try:
        gate.wait_started()
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.communicate(timeout=10)
    return session_id, request


def test_run_worker_killed_mid_step_is_retried_then_relaunched_to_done(
    monkeypatch: pytest.MonkeyPatch, fresh_db_url: str, dagster_db_url: str, tmp_path: Path
) -> None:
    with app_env(
        monkeypatch,
        app_db_url=fresh_db_url,
        dagster_db_url=dagster_db_url,
        data_dir=tmp_path / "data",
    ) as settings:
        session_id, request = _kill_worker_mid_transcription(
            settings, fresh_db_url, tmp_path, "learner-killed", {"dagster/max_runtime": "1"}
        )
        instance = instance_of(settings)
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


def test_lost_delivery_missed_success_and_exhausted_attempts_are_all_resolved(
    monkeypatch: pytest.MonkeyPatch,
    fresh_db_url: str,
    dagster_db_url: str,
    tmp_path: Path,
    qstash_server: FakeQStash,
) -> None:
    extra = qstash_server.env("http://testserver")
    with app_env(
        monkeypatch,
        app_db_url=fresh_db_url,
        dagster_db_url=dagster_db_url,
        data_dir=tmp_path / "data",
        extra=extra,
    ) as settings:
        client = client_for(settings)
        lost, unrecorded, doomed = (
            str(upload(client, settings, learner)["id"]) for learner in ("l-1", "l-2", "l-3")
        )
        # QStash accepted three messages and delivers none of them.
        assert len(qstash_server.messages) == 3
        assert requested_runs(settings, fresh_db_url) == []
        monkeypatch.setenv("STUCK_SESSION_AFTER_SECS", "0")

        # A lost delivery: the sensor records the request, the intake sensor launches it.
        assert stuck_sensor_requests(settings, fresh_db_url) == []
        requested = {str(r.partition_key) for r in requested_runs(settings, fresh_db_url)}
        assert requested == {lost, unrecorded, doomed}

        # The run succeeds but its success never reaches the done sensor.
        assert run_job(settings, fresh_db_url, unrecorded, provider_resources(), sensors=False)
        assert status_of(fresh_db_url, unrecorded)[0] is SessionStatus.ANALYZING

        # Runs that keep dying without a word (their failures unseen by the sensors).
        broken = FlakyTranscriber(
            FastTranscriber(), failures=None, transient=False, message="worker lost"
        )
        for _ in range(MAX_PROCESS_ATTEMPTS):
            run_job(
                settings,
                fresh_db_url,
                doomed,
                provider_resources(transcriber=broken),
                sensors=False,
            )
        assert status_of(fresh_db_url, doomed)[0] is SessionStatus.TRANSCRIBING

        # `lost` has never run: the intake sensor owns it, the stuck sensor leaves it be.
        assert stuck_sensor_requests(settings, fresh_db_url) == []
        assert status_of(fresh_db_url, unrecorded) == (SessionStatus.DONE, None)
        status, message = status_of(fresh_db_url, doomed)
        assert status is SessionStatus.FAILED
        assert message == learner_message(Reason.INTERRUPTED)
        assert not list((settings.data_dir / "audio").rglob(f"{doomed}/audio.*"))

        [first] = requested_runs(settings, fresh_db_url)
        assert first.partition_key == lost
        assert run_job(settings, fresh_db_url, lost, provider_resources(), tags=first.tags).success

    assert status_of(fresh_db_url, lost) == (SessionStatus.DONE, None)
    assert set(insight_sets(fresh_db_url)) == {lost, unrecorded}
    assert_consistent(fresh_db_url)


def _state(**overrides: object) -> StuckSession:
    values: dict[str, object] = {
        "status": "TRANSCRIBING",
        "requested": True,
        "age_secs": 1000.0,
        "live_runs": 0,
        "finished_runs": 1,
    }
    values.update(overrides)
    return StuckSession(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (_state(), Recovery.RELAUNCH),
        (_state(live_runs=1), Recovery.WAIT),
        (_state(age_secs=10.0), Recovery.WAIT),
        (_state(retry_pending_secs=5.0), Recovery.WAIT),
        (_state(retry_pending_secs=400.0), Recovery.RELAUNCH),
        (_state(last_run_completed=True), Recovery.MARK_DONE),
        (_state(status="UPLOADED", requested=False, finished_runs=0), Recovery.REQUEST),
        (_state(status="UPLOADED", finished_runs=0), Recovery.WAIT),
        (_state(finished_runs=MAX_PROCESS_ATTEMPTS), Recovery.FAIL),
    ],
)
def test_recovery_decisions(state: StuckSession, action: Recovery) -> None:
    assert decide(state, stuck_after_secs=300) is action


def test_up_fails_runs_orphaned_by_a_previous_up_so_they_are_retried(
    monkeypatch: pytest.MonkeyPatch, fresh_db_url: str, dagster_db_url: str, tmp_path: Path
) -> None:
    from speaking_pipeline.orchestration.maintenance import fail_orphaned_runs

    with app_env(
        monkeypatch,
        app_db_url=fresh_db_url,
        dagster_db_url=dagster_db_url,
        data_dir=tmp_path / "data",
    ) as settings:
        # The previous `up` went down with its run worker.
        session_id, _ = _kill_worker_mid_transcription(
            settings, fresh_db_url, tmp_path, "learner-orphan", {}
        )
        instance = instance_of(settings)

        assert fail_orphaned_runs(instance) == 1
        [record] = instance.get_run_records(RunsFilter(tags={"dagster/partition": session_id}))
        assert record.dagster_run.status is DagsterRunStatus.FAILURE
        assert record.dagster_run.tags.get("dagster/will_retry") == "true"
        assert fail_orphaned_runs(instance) == 0  # nothing else was running


def test_an_upload_cut_short_is_failed_and_its_bytes_deleted(
    monkeypatch: pytest.MonkeyPatch, fresh_db_url: str, dagster_db_url: str, tmp_path: Path
) -> None:
    import io

    from speaking_pipeline.db import repository as repo
    from speaking_pipeline.db.engine import session_scope
    from speaking_pipeline.db.models import SpeakingSession
    from speaking_pipeline.storage.local import LocalAudioStore

    with app_env(
        monkeypatch, app_db_url=fresh_db_url, dagster_db_url=dagster_db_url, data_dir=tmp_path
    ) as settings:
        client_for(settings)  # the app prepares the Dagster instance
        # The API died between storing the bytes and marking the session UPLOADED.
        with session_scope(fresh_db_url) as db:
            user = repo.get_or_create_user(db, "learner-cut")
            session = SpeakingSession(user_id=user.id, audio_url=f"sessions/{user.id}/x/audio.webm")
            db.add(session)
            db.flush()
            session_id, key = session.id, str(session.audio_url)
        store = LocalAudioStore(tmp_path / "audio")
        store.put(key, io.BytesIO(b"partial bytes"), "audio/webm")

        monkeypatch.setenv("STUCK_SESSION_AFTER_SECS", "300")
        stuck_sensor_requests(settings, fresh_db_url)
        assert status_of(fresh_db_url, session_id)[0] is SessionStatus.CREATED  # too soon

        monkeypatch.setenv("STUCK_SESSION_AFTER_SECS", "0")
        assert stuck_sensor_requests(settings, fresh_db_url) == []
        status, message = status_of(fresh_db_url, session_id)
        assert status is SessionStatus.FAILED
        assert message == learner_message(Reason.UPLOAD_INCOMPLETE)
        assert not store.exists(key)
