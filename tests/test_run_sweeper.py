"""Dead run workers and the pool slots they hold never block the runs behind them; audio no
live session needs is deleted."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import (
    DagsterEventType,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    build_sensor_context,
)
from dagster._core.events import EngineEventData
from dagster._core.test_utils import create_run_for_test

from speaking_pipeline.db.engine import session_scope
from speaking_pipeline.db.models import SessionStatus, SpeakingSession
from speaking_pipeline.defs.maintenance.workers import DEAD_WORKER_MESSAGE, sweep
from speaking_pipeline.orchestration import initialize_pools, instance_config
from speaking_pipeline.orchestration.instance import (
    BROKER_URL_ENV,
    RESULT_BACKEND_ENV,
    RUN_LAUNCHER_ENV,
    WORKER_QUEUE_ENV,
)
from speaking_pipeline.orchestration.workers import WarmRunLauncher
from speaking_pipeline.pipeline.failing import sweep_audio
from speaking_pipeline.providers import build_audio_store
from tests.fault_support import instance_of
from tests.support import app_env, client_for, upload


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _started_run(instance: DagsterInstance, pid: int) -> DagsterRun:
    """A STARTED run whose worker reported `pid`, as Dagster's run worker does."""
    run = create_run_for_test(instance, job_name="process_session", status=DagsterRunStatus.STARTED)
    instance.report_engine_event(
        f"Started process for run (pid: {pid}).", run, EngineEventData.in_process(pid)
    )
    return run


def test_instance_config_frees_slots_of_ended_runs() -> None:
    monitoring = instance_config()["run_monitoring"]
    assert isinstance(monitoring, dict)
    assert monitoring["enabled"] is True
    assert monitoring["free_slots_after_run_end_seconds"] > 0


def test_dead_workers_are_failed_and_their_slots_freed_so_queued_work_proceeds(
    monkeypatch: pytest.MonkeyPatch, fresh_db_url: str, dagster_db_url: str, tmp_path: Path
) -> None:
    with app_env(
        monkeypatch, app_db_url=fresh_db_url, dagster_db_url=dagster_db_url, data_dir=tmp_path
    ) as settings:
        client_for(settings)  # writes dagster.yaml, as `up` does
        instance = instance_of(settings)
        initialize_pools(instance)
        storage = instance.event_log_storage
        limit = storage.get_concurrency_info("transcriber").slot_count

        # Runs that hold every transcriber slot: one whose worker was killed, others that
        # ended or were deleted without giving their slots back.
        dead = _started_run(instance, _dead_pid())
        alive = _started_run(instance, os.getpid())
        ended = create_run_for_test(
            instance, job_name="process_session", status=DagsterRunStatus.FAILURE
        )
        holders = [dead.run_id, ended.run_id, "run-that-was-deleted"]
        for n, run_id in enumerate(holders):
            storage.claim_concurrency_slot("transcriber", run_id, f"transcript-{n}")
        assert storage.get_concurrency_info("transcriber").active_slot_count >= min(limit, 2)
        # A new step now waits for a slot (the stall the sweep must end).
        waiting = _started_run(instance, os.getpid())
        claim = storage.claim_concurrency_slot("transcriber", waiting.run_id, "transcript")
        assert not claim.is_claimed

        report = sweep(instance)

        assert report.dead_runs == [dead.run_id]
        failed = instance.get_run_by_id(dead.run_id)
        assert failed is not None and failed.status is DagsterRunStatus.FAILURE
        failure = instance.get_records_for_run(dead.run_id, of_type=DagsterEventType.RUN_FAILURE)
        assert DEAD_WORKER_MESSAGE in failure.records[0].event_log_entry.message
        still = instance.get_run_by_id(alive.run_id)
        assert still is not None and still.status is DagsterRunStatus.STARTED
        assert set(report.freed_runs) >= {dead.run_id, ended.run_id, "run-that-was-deleted"}
        assert waiting.run_id not in report.freed_runs and alive.run_id not in report.freed_runs
        claim = storage.claim_concurrency_slot("transcriber", waiting.run_id, "transcript")
        assert claim.is_claimed  # the queued step gets its slot

        # Nothing left to sweep: a second pass changes nothing.
        again = sweep(instance)
        assert again.dead_runs == [] and waiting.run_id not in again.freed_runs


def test_warm_worker_runs_are_left_to_their_heartbeats(
    monkeypatch: pytest.MonkeyPatch, fresh_db_url: str, dagster_db_url: str, tmp_path: Path
) -> None:
    # A warm worker runs many runs in one long-lived process, maybe on another machine: the
    # pid its run reported says nothing about it here, so the sweeper must not fail the run
    # (run monitoring checks its heartbeats). Slots of ended runs are still freed.
    monkeypatch.setenv(RUN_LAUNCHER_ENV, "warm")
    for name in (BROKER_URL_ENV, RESULT_BACKEND_ENV, WORKER_QUEUE_ENV):
        # Recorded first, so that undoing restores the original (usually unset) value
        # after prepare_dagster_home exports its own: a leaked broker URL would point later
        # tests' `up` at this test's database.
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    with app_env(
        monkeypatch, app_db_url=fresh_db_url, dagster_db_url=dagster_db_url, data_dir=tmp_path
    ) as settings:
        client_for(settings)  # writes dagster.yaml with the warm run launcher
        instance = instance_of(settings)
        assert isinstance(instance.run_launcher, WarmRunLauncher)
        initialize_pools(instance)
        remote = _started_run(instance, _dead_pid())
        ended = create_run_for_test(
            instance, job_name="process_session", status=DagsterRunStatus.FAILURE
        )
        instance.event_log_storage.claim_concurrency_slot("transcriber", ended.run_id, "t")

        report = sweep(instance)

        assert report.dead_runs == []
        still = instance.get_run_by_id(remote.run_id)
        assert still is not None and still.status is DagsterRunStatus.STARTED
        assert ended.run_id in report.freed_runs


def test_audio_of_ended_or_missing_sessions_is_swept_and_live_audio_kept(
    monkeypatch: pytest.MonkeyPatch, fresh_db_url: str, dagster_db_url: str, tmp_path: Path
) -> None:
    from speaking_pipeline.db.repository import Repository
    from speaking_pipeline.defs.maintenance.sensors import leftover_audio_sensor
    from speaking_pipeline.defs.resources import DatabaseResource, audio_store_resource

    with app_env(
        monkeypatch, app_db_url=fresh_db_url, dagster_db_url=dagster_db_url, data_dir=tmp_path
    ) as settings:
        client = client_for(settings)
        live, failed, done = (
            str(upload(client, settings, f"learner-sweep-{n}")["id"]) for n in range(3)
        )
        with session_scope(fresh_db_url) as db:
            for sid, status in ((failed, SessionStatus.FAILED), (done, SessionStatus.DONE)):
                row = db.get(SpeakingSession, sid)
                assert row is not None
                row.status = status  # ended by a path that missed the deletion (a crash)
        store = build_audio_store(settings)
        store.put(
            "sessions/u-gone/0f0f0f0f-0000-4000-8000-000000000000/audio.webm",
            io.BytesIO(b"x"),
            "audio/webm",
        )
        before = set(store.keys("sessions/"))
        assert len(before) == 4

        with build_sensor_context(
            instance=instance_of(settings),
            resources={
                "database": DatabaseResource(url=fresh_db_url),
                "audio_store": audio_store_resource,
            },
        ) as ctx:
            leftover_audio_sensor(ctx)

        left = set(store.keys("sessions/"))
        assert [k for k in left if live in k] and len(left) == 1
        with session_scope(fresh_db_url) as db:
            for sid in (failed, done):
                row = db.get(SpeakingSession, sid)
                assert row is not None and row.audio_deleted_at is not None
            kept = db.get(SpeakingSession, live)
            assert kept is not None and kept.audio_deleted_at is None
        assert sweep_audio(Repository(fresh_db_url), store).orphans == 0
