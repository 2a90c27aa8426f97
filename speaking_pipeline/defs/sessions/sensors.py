"""Sensors that launch session runs and write their outcome back to the session row."""

import os
import time
from collections.abc import Mapping
from datetime import datetime, timedelta

from dagster import (
    DagsterEvent,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    RunsFilter,
    RunStatusSensorContext,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    run_status_sensor,
    sensor,
)

from speaking_pipeline.db import repository as repo
from speaking_pipeline.db.engine import session_scope
from speaking_pipeline.db.models import SessionStatus
from speaking_pipeline.defs.resources import AudioStoreResource, DatabaseResource
from speaking_pipeline.defs.sessions.assets import insights
from speaking_pipeline.defs.sessions.jobs import process_session_job, reanalyze_sessions_job
from speaking_pipeline.defs.sessions.partitions import sessions_partitions
from speaking_pipeline.domain.failures import (
    FAILURE_REASON_TAG,
    FAILURE_STEP_TAG,
    Reason,
    describe_failure,
    error_text,
    reason_for_step,
    reason_of,
)
from speaking_pipeline.domain.ids import is_session_id
from speaking_pipeline.domain.recovery import Recovery, StuckSession, decide
from speaking_pipeline.pipeline.failing import fail_session
from speaking_pipeline.pipeline.intake import request_processing

WILL_RETRY_TAG = "dagster/will_retry"
PARTITION_TAG = "dagster/partition"
# Fast enough that a learner waiting on `submit` sees the result within seconds.
STATUS_SENSOR_INTERVAL = 2
# Both jobs move a session's status (re-analysis of a FAILED session goes through
# ANALYZING), so both report their outcome.
SESSION_JOBS = [process_session_job, reanalyze_sessions_job]
SESSION_JOB_NAMES = {job.name for job in SESSION_JOBS}


def _session_of(tags: Mapping[str, str]) -> str | None:
    """The run's session; None for a partition key that cannot be one (added by hand in
    the UI): its run already failed saying so, and there is no row to update."""
    key = tags.get(PARTITION_TAG)
    return key if is_session_id(key) else None


def intake_run_key(session_id: str) -> str:
    return f"process:{session_id}"


@sensor(
    job=process_session_job,
    minimum_interval_seconds=2,
    default_status=DefaultSensorStatus.RUNNING,
    description="Launches one processing run per requested session (run_key dedupes).",
)
def session_intake_sensor(
    context: SensorEvaluationContext, database: DatabaseResource
) -> SensorResult | SkipReason:
    with session_scope(database.get_url()) as db:
        pending = repo.requested_sessions(db, limit=100)
    if not pending:
        return SkipReason("no session waiting")
    # Dagster skips a RunRequest whose run_key this sensor already used, so a session
    # requested twice still gets one run.
    return SensorResult(
        run_requests=[
            RunRequest(
                run_key=intake_run_key(s.session_id), partition_key=s.session_id, tags=run_tags(s)
            )
            for s in pending
        ],
        dynamic_partitions_requests=[
            sessions_partitions.build_add_request([s.session_id for s in pending])
        ],
    )


def run_tags(session: repo.SessionRef) -> dict[str, str]:
    """Run tags analysts filter by: the session, its learner's internal id (never the
    external id or any learner text) and the upload date."""
    return {
        "speaking/session": session.session_id,
        "speaking/user": session.user_id,
        "speaking/uploaded": session.created_at.date().isoformat(),
    }


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=SESSION_JOBS,
    minimum_interval_seconds=STATUS_SENSOR_INTERVAL,
    default_status=DefaultSensorStatus.RUNNING,
    description="Marks a session DONE when its processing run succeeds.",
)
def session_done_sensor(context: RunStatusSensorContext, database: DatabaseResource) -> None:
    session_id = _session_of(context.dagster_run.tags)
    if session_id is None:
        return
    with session_scope(database.get_url()) as db:
        repo.move_status(
            db,
            session_id,
            SessionStatus.DONE,
            allowed_from=(*repo.IN_FLIGHT, SessionStatus.FAILED),
        )


def _failure_cause(event: DagsterEvent) -> str | None:
    """What went wrong in a failed step: a Failure's description (permanent errors), else
    the exception that exhausted the retries."""
    data = event.step_failure_data
    if data is None:
        return None
    if data.user_failure_data is not None and data.user_failure_data.description:
        return data.user_failure_data.description
    error = data.error
    # After the last retry Dagster records "Exceeded max_retries of N", with the exception
    # that caused the retries (inside Dagster's own wrappers) as its cause.
    while error is not None and error.cause is not None:
        wrapper = error.message.startswith("Exceeded max_retries") or (
            error.cls_name or ""
        ).startswith("Dagster")
        if not wrapper:
            break
        error = error.cause
    if error is None:
        return None
    return error_text(error.cls_name, error.message)


def _declared_reason(event: DagsterEvent) -> Reason | None:
    """The reason a step declared on its permanent Failure (metadata `reason`)."""
    data = event.step_failure_data
    failure = data.user_failure_data if data is not None else None
    if failure is None:
        return None
    value = (failure.metadata or {}).get("reason")
    return reason_of(getattr(value, "value", value)) if value is not None else None


@run_failure_sensor(
    monitored_jobs=SESSION_JOBS,
    minimum_interval_seconds=STATUS_SENSOR_INTERVAL,
    default_status=DefaultSensorStatus.RUNNING,
    description="Marks a session FAILED when its run fails and no retry remains.",
)
def session_failed_sensor(
    context: RunFailureSensorContext, database: DatabaseResource, audio_store: AudioStoreResource
) -> None:
    # Read the run again: Dagster tags it dagster/will_retry just after the failure event.
    run = context.instance.get_run_by_id(context.dagster_run.run_id) or context.dagster_run
    if run.tags.get(WILL_RETRY_TAG) == "true":
        return
    session_id = _session_of(run.tags)
    if session_id is None:
        return
    events = context.get_step_failure_events()
    steps = [(event.step_key or "run", _failure_cause(event)) for event in events]
    first = events[0] if events else None
    reason = reason_for_step(
        first.step_key if first is not None else None,
        _declared_reason(first) if first is not None else None,
    )
    # Operators get the cause (logs, run tags); the learner a fixed message for the reason.
    detail = describe_failure(steps, context.failure_event.message)
    context.log.warning("session %s failed (%s): %s", session_id, reason.value, detail)
    context.instance.add_run_tags(
        run.run_id,
        {
            FAILURE_REASON_TAG: reason.value,
            FAILURE_STEP_TAG: first.step_key if first is not None and first.step_key else "run",
        },
    )
    fail_session(database.get_url(), audio_store.get_store(), session_id, reason)


STUCK_AFTER_SECS = 300
# Tests and operators can shorten the wait (seconds), read at each evaluation.
STUCK_AFTER_ENV = "STUCK_SESSION_AFTER_SECS"
LIVE_STATUSES = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
    DagsterRunStatus.CANCELING,
]


def _stuck_after_secs() -> float:
    return float(os.environ.get(STUCK_AFTER_ENV, STUCK_AFTER_SECS))


def _completes_analysis(run: DagsterRun) -> bool:
    """A successful run whose selection covered the insights (and so the whole session)."""
    if run.status is not DagsterRunStatus.SUCCESS:
        return False
    if not run.asset_selection:  # None or empty: the whole job
        return run.job_name in SESSION_JOB_NAMES
    return insights.key in run.asset_selection


def _session_state(
    instance: DagsterInstance,
    session_id: str,
    status: SessionStatus,
    requested: bool,
    age_secs: float,
) -> tuple[StuckSession, int]:
    """What Dagster knows about the session's runs, of any job (a re-analysis or a UI
    materialisation is as alive as a processing run); also returns the number of runs."""
    records = instance.get_run_records(RunsFilter(tags={PARTITION_TAG: session_id}))
    now = time.time()
    live = sum(1 for r in records if r.dagster_run.status in LIVE_STATUSES)
    pending = [
        now - (r.end_time or now) for r in records if r.dagster_run.is_complete_and_waiting_to_retry
    ]
    newest = max(records, key=lambda r: r.create_timestamp, default=None)
    state = StuckSession(
        status=status.value,
        requested=requested,
        age_secs=age_secs,
        live_runs=live,
        finished_runs=len(records) - live,
        retry_pending_secs=min(pending) if pending else None,
        last_run_completed=newest is not None and _completes_analysis(newest.dagster_run),
    )
    return state, len(records)


def _fail_abandoned_uploads(url: str, audio_store: AudioStoreResource, before: datetime) -> int:
    """Sessions still CREATED long after their upload began: the API died mid-upload.
    Whatever bytes reached storage are deleted and the session is marked FAILED."""
    with session_scope(url) as db:
        rows = repo.abandoned_uploads(db, before)
    for session_id in rows:
        fail_session(
            url,
            audio_store.get_store(),
            session_id,
            Reason.UPLOAD_INCOMPLETE,
            allowed_from=(SessionStatus.CREATED,),
        )
    return len(rows)


@sensor(
    job=process_session_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "Finds sessions left UPLOADED/TRANSCRIBING/ANALYZING with no live run (a lost "
        "delivery, a killed worker, a missed run event) and requests, relaunches, "
        "completes or fails them."
    ),
)
def stuck_session_sensor(
    context: SensorEvaluationContext, database: DatabaseResource, audio_store: AudioStoreResource
) -> SensorResult | SkipReason:
    url = database.get_url()
    now = repo.utcnow()
    stuck_after = _stuck_after_secs()
    abandoned = _fail_abandoned_uploads(url, audio_store, now - timedelta(seconds=stuck_after))
    if abandoned:
        context.log.info("failed %d upload(s) that never completed", abandoned)
    with session_scope(url) as db:
        rows = repo.in_flight_sessions(db)
    requests: list[RunRequest] = []
    for row in rows:
        session_id, status = row.ref.session_id, row.status
        state, attempts = _session_state(
            context.instance,
            session_id,
            status,
            row.requested,
            (now - row.updated_at).total_seconds(),
        )
        action = decide(state, stuck_after_secs=stuck_after)
        if action is Recovery.REQUEST:
            request_processing(url, session_id)
        elif action is Recovery.RELAUNCH:
            context.log.info("relaunching stuck session %s (%s)", session_id, status.value)
            requests.append(
                RunRequest(
                    # Deterministic per attempt: a second evaluation before the run shows
                    # up asks for the same run_key, which Dagster drops.
                    run_key=f"{intake_run_key(session_id)}:relaunch:{attempts}",
                    partition_key=session_id,
                    tags={**run_tags(row.ref), "speaking/relaunch": str(attempts)},
                )
            )
        elif action is Recovery.MARK_DONE:
            with session_scope(url) as db:
                repo.move_status(db, session_id, SessionStatus.DONE, allowed_from=repo.IN_FLIGHT)
        elif action is Recovery.FAIL:
            context.log.warning(
                "session %s: processing stopped without finishing after %d attempts",
                session_id,
                attempts,
            )
            fail_session(url, audio_store.get_store(), session_id, Reason.INTERRUPTED)
    if not requests:
        return SkipReason("no stuck session to relaunch")
    return SensorResult(run_requests=requests)
