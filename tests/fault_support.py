"""Fault-injection harness: runs with injected providers, the run-status sensors, and the
consistency invariant every fault test ends with."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import (
    DagsterEventType,
    DagsterInstance,
    ExecuteInProcessResult,
    RunsFilter,
    build_sensor_context,
)
from sqlalchemy import select

from speaking_pipeline.config import Settings
from speaking_pipeline.db.engine import session_scope
from speaking_pipeline.db.models import (
    InsightRow,
    PatternProfile,
    SessionStatus,
    SpeakingSession,
    Transcript,
    User,
)
from speaking_pipeline.defs.resources import DatabaseResource, audio_store_resource
from speaking_pipeline.domain.profile import InsightFact, SessionFacts, compute_profile
from speaking_pipeline.orchestration.maintenance import initialize_pools
from tests.fakes.flaky import provider_resources
from tests.support import dagster_instance

PROCESS_JOB = "process_session"
REANALYZE_JOB = "reanalyze_sessions"
MAX_RUNTIME_TAG = "dagster/max_runtime"
REPO = Path(__file__).resolve().parents[1]


def instance_of(settings: Settings) -> DagsterInstance:
    return dagster_instance(settings)


def requested_runs(settings: Settings, db_url: str) -> list[Any]:
    """The intake sensor's RunRequests, minus those whose run_key Dagster already used
    (the daemon drops those the same way)."""
    from speaking_pipeline.defs.sessions.sensors import session_intake_sensor

    instance = instance_of(settings)
    with build_sensor_context(
        instance=instance, resources={"database": DatabaseResource(url=db_url)}
    ) as ctx:
        result = session_intake_sensor(ctx)
    requests = list(getattr(result, "run_requests", None) or [])
    for add in getattr(result, "dynamic_partitions_requests", None) or []:
        instance.add_dynamic_partitions(add.partitions_def_name, list(add.partition_keys))
    fresh = []
    for request in requests:
        used = instance.get_runs(RunsFilter(tags={"dagster/run_key": request.run_key}), limit=1)
        if not used:
            fresh.append(request)
    return fresh


def run_job(
    settings: Settings,
    db_url: str,
    partition: str,
    resources: Mapping[str, object],
    *,
    job: str = PROCESS_JOB,
    tags: Mapping[str, str] | None = None,
    sensors: bool = True,
) -> ExecuteInProcessResult:
    """One real run of `job` for `partition` on the PostgreSQL-backed instance, with the
    given provider resources, followed by the run-status sensors as the daemon runs them
    (unless `sensors` is False: a run event the daemon missed)."""
    instance = instance_of(settings)
    result = _execute(instance, db_url, job, partition, resources, tags or {})
    if sensors:
        feed_status_sensors(instance, result.run_id, db_url)
    return result


def _execute(
    instance: DagsterInstance,
    db_url: str,
    job: str,
    partition: str,
    resources: Mapping[str, object],
    tags: Mapping[str, str],
) -> ExecuteInProcessResult:
    from speaking_pipeline.definitions import defs

    return defs.resolve_job_def(job).execute_in_process(
        partition_key=partition,
        instance=instance,
        raise_on_error=False,
        # Events still go to the instance's event log; the console gets warnings only.
        run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        tags=dict(tags),
        resources={"database": DatabaseResource(url=db_url), **resources},
    )


def launch_requested(
    settings: Settings, db_url: str, resources: Mapping[str, object]
) -> list[ExecuteInProcessResult]:
    """Evaluate the intake sensor, then execute each run it requests."""
    return [
        run_job(
            settings,
            db_url,
            str(request.partition_key),
            resources,
            tags={**request.tags, "dagster/run_key": request.run_key},
        )
        for request in requested_runs(settings, db_url)
    ]


def stuck_sensor_requests(settings: Settings, db_url: str) -> list[Any]:
    """Evaluate the stuck-session sensor once; returns the runs it asks for."""
    from speaking_pipeline.defs.sessions.sensors import stuck_session_sensor

    with build_sensor_context(
        instance=instance_of(settings),
        resources={"database": DatabaseResource(url=db_url), "audio_store": audio_store_resource},
    ) as ctx:
        result = stuck_session_sensor(ctx)
    return list(getattr(result, "run_requests", None) or [])


def feed_status_sensors(instance: DagsterInstance, run_id: str, db_url: str) -> None:
    """Give a finished run's outcome to the outcome sensor, as the daemon would: one
    evaluation with its cursor just before the run's final event."""
    from speaking_pipeline.defs.sessions.sensors import session_outcome_sensor

    run = instance.get_run_by_id(run_id)
    assert run is not None and run.is_finished
    final = (
        DagsterEventType.RUN_SUCCESS
        if run.status.value == "SUCCESS"
        else DagsterEventType.RUN_FAILURE
    )
    record = instance.get_records_for_run(run_id, of_type=final).records[-1]
    with build_sensor_context(
        instance=instance,
        cursor=str(record.storage_id - 1),
        resources={"database": DatabaseResource(url=db_url), "audio_store": audio_store_resource},
    ) as ctx:
        session_outcome_sensor(ctx)
        assert int(ctx.cursor or -1) >= record.storage_id, "the sensor did not read the outcome"


def status_of(db_url: str, session_id: str) -> tuple[SessionStatus, str | None]:
    with session_scope(db_url) as db:
        row = db.get(SpeakingSession, session_id)
        assert row is not None, f"session {session_id} is gone"
        return row.status, row.error_message


def insight_sets(db_url: str) -> dict[str, int]:
    """session id -> number of stored insights."""
    counts: dict[str, int] = defaultdict(int)
    with session_scope(db_url) as db:
        for (session_id,) in db.execute(select(InsightRow.session_id)).all():
            counts[session_id] += 1
    return dict(counts)


def expected_profiles(db_url: str) -> dict[str, tuple[object, object]]:
    """user id -> (patterns, focus areas), recomputed here from the stored insights."""
    with session_scope(db_url) as db:
        facts: dict[str, list[SessionFacts]] = defaultdict(list)
        insights: dict[str, list[InsightFact]] = defaultdict(list)
        for row in db.scalars(select(InsightRow)).all():
            insights[row.session_id].append(
                InsightFact(row.code, row.category, row.pattern, row.frequency)
            )
        sessions = db.scalars(
            select(SpeakingSession).where(SpeakingSession.summary.is_not(None))
        ).all()
        for s in sessions:
            facts[s.user_id].append(
                SessionFacts(s.id, s.created_at, s.duration_secs, tuple(insights[s.id]))
            )
        users = db.scalars(select(User.id)).all()
    result = {}
    for user_id in users:
        patterns, focus = compute_profile(facts.get(user_id, []))
        # Through JSON, as the database stores them.
        result[user_id] = (json.loads(json.dumps(patterns)), json.loads(json.dumps(focus)))
    return result


def assert_consistent(db_url: str) -> None:
    """No session stuck in a processing state, no duplicated insight set, no orphan row,
    and every stored profile equal to a fresh recomputation from the stored insights."""
    with session_scope(db_url) as db:
        stuck = db.execute(
            select(SpeakingSession.id, SpeakingSession.status).where(
                SpeakingSession.status.not_in([SessionStatus.DONE, SessionStatus.FAILED])
            )
        ).all()
        assert not stuck, f"sessions left in processing states: {stuck}"

        session_ids = set(db.scalars(select(SpeakingSession.id)).all())
        rows = db.scalars(select(InsightRow)).all()
        by_session: dict[str, list[InsightRow]] = defaultdict(list)
        for row in rows:
            assert row.session_id in session_ids, f"orphan insight {row.id}"
            by_session[row.session_id].append(row)
        for session_id, group in by_session.items():
            assert len(group) <= 5, f"{session_id}: {len(group)} insights"
            codes = [r.code for r in group]
            assert len(codes) == len(set(codes)), f"{session_id}: duplicated codes {codes}"
            # One analysis is written in one transaction: one version, one timestamp.
            assert len({r.analyzer_version for r in group}) == 1, session_id
            assert len({r.created_at for r in group}) == 1, f"{session_id}: two insight sets"
        for transcript_session in db.scalars(select(Transcript.session_id)).all():
            assert transcript_session in session_ids, "orphan transcript"

        done = db.scalars(
            select(SpeakingSession).where(SpeakingSession.status == SessionStatus.DONE)
        ).all()
        for s in done:
            assert s.summary, f"DONE session {s.id} has no analysis"
            assert s.audio_deleted_at is not None, f"DONE session {s.id} kept its audio"
        profiles = {
            p.user_id: (p.patterns, p.focus_areas or [])
            for p in db.scalars(select(PatternProfile)).all()
        }
        users_with_done = {s.user_id for s in done}

    expected = expected_profiles(db_url)
    for user_id in users_with_done:
        assert user_id in profiles, f"learner {user_id} has DONE sessions but no profile"
    for user_id, (patterns, focus) in profiles.items():
        want_patterns, want_focus = expected[user_id]
        assert patterns == want_patterns, f"profile of {user_id} differs from a recomputation"
        assert focus == want_focus, f"focus areas of {user_id} differ from a recomputation"


def start_worker(
    db_url: str,
    runs: list[tuple[str, Mapping[str, str]]],
    *,
    job: str = PROCESS_JOB,
    transcriber: str = "fast",
    analyzer: str = "heuristic",
) -> subprocess.Popen[str]:
    """A run worker in a process of its own, executing `runs` (partition, tags) one after
    the other on the same instance; providers are named by spec (see tests.fakes.flaky).
    Runs in separate processes really overlap, which Dagster's in-process execution in
    threads of one process does not support."""
    spec = {
        "db_url": db_url,
        "runs": [[partition, dict(tags)] for partition, tags in runs],
        "job": job,
        "transcriber": transcriber,
        "analyzer": analyzer,
    }
    initialize_pools(DagsterInstance.get())
    code = "import sys; from tests.fault_support import worker_main as w; w(sys.argv[1])"
    return subprocess.Popen(
        [sys.executable, "-c", code, json.dumps(spec)],
        cwd=REPO,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish_worker(worker: subprocess.Popen[str], timeout: float = 600) -> dict[str, bool]:
    """Wait for a worker; returns partition -> run succeeded."""
    out, err = worker.communicate(timeout=timeout)
    assert worker.returncode == 0, err[-4000:]
    line = next(x for x in reversed(out.splitlines()) if x.startswith(WORKER_RESULT))
    report = json.loads(line[len(WORKER_RESULT) :])
    for partition, errors in report["errors"].items():
        print(f"run for {partition} failed: {errors}")  # shown when the test fails
    result: dict[str, bool] = report["ok"]
    return result


WORKER_RESULT = "WORKER-RESULT "


def worker_main(raw_spec: str) -> None:
    from tests.fakes.flaky import analyzer_from_spec, transcriber_from_spec

    spec = json.loads(raw_spec)
    resources = provider_resources(
        transcriber_from_spec(spec["transcriber"]), analyzer_from_spec(spec["analyzer"])
    )
    instance = DagsterInstance.get()
    ok: dict[str, bool] = {}
    errors: dict[str, list[str]] = {}
    for partition, tags in spec["runs"]:
        result = _execute(instance, spec["db_url"], spec["job"], partition, resources, tags)
        feed_status_sensors(instance, result.run_id, spec["db_url"])
        ok[partition] = result.success
        if not result.success:
            errors[partition] = [
                f"{e.message} {getattr(e.dagster_event.event_specific_data, 'error', '')}"
                for e in instance.all_logs(result.run_id)
                if e.dagster_event is not None
                and (e.dagster_event.is_failure or e.dagster_event.is_engine_event)
            ]
    print(WORKER_RESULT + json.dumps({"ok": ok, "errors": errors}), flush=True)
