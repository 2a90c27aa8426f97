"""Sensors that launch session runs and write their outcome back to the session row."""

from collections.abc import Mapping

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    RunStatusSensorContext,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    run_status_sensor,
    sensor,
)
from sqlalchemy import select

from speaking_pipeline.db import repository as repo
from speaking_pipeline.db.engine import session_scope
from speaking_pipeline.db.models import SessionStatus, SpeakingSession
from speaking_pipeline.defs.resources import DatabaseResource
from speaking_pipeline.defs.sessions.jobs import process_session_job
from speaking_pipeline.defs.sessions.partitions import sessions_partitions
from speaking_pipeline.domain.failures import describe_failure
from speaking_pipeline.domain.recovery import Recovery, StuckSession, decide
from speaking_pipeline.pipeline.intake import request_processing

WILL_RETRY_TAG = "dagster/will_retry"
PARTITION_TAG = "dagster/partition"
# Fast enough that a learner waiting on `submit` sees the result within seconds.
STATUS_SENSOR_INTERVAL = 2


def _session_of(tags: Mapping[str, str]) -> str | None:
    return tags.get(PARTITION_TAG)


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
        pending = list(
            db.scalars(
                select(SpeakingSession.id)
                .where(
                    SpeakingSession.status == SessionStatus.UPLOADED,
                    SpeakingSession.processing_requested_at.is_not(None),
                )
                .order_by(SpeakingSession.processing_requested_at)
                .limit(100)
            )
        )
    if not pending:
        return SkipReason("no session waiting")
    # Dagster skips a RunRequest whose run_key this sensor already used, so a session
    # requested twice still gets one run.
    return SensorResult(
        run_requests=[
            RunRequest(
                run_key=intake_run_key(sid), partition_key=sid, tags={"speaking/session": sid}
            )
            for sid in pending
        ],
        dynamic_partitions_requests=[sessions_partitions.build_add_request(pending)],
    )


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[process_session_job],
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


@run_failure_sensor(
    monitored_jobs=[process_session_job],
    minimum_interval_seconds=STATUS_SENSOR_INTERVAL,
    default_status=DefaultSensorStatus.RUNNING,
    description="Marks a session FAILED when its run fails and no retry remains.",
)
def session_failed_sensor(context: RunFailureSensorContext, database: DatabaseResource) -> None:
    run = context.dagster_run
    if run.tags.get(WILL_RETRY_TAG) == "true":
        return
    session_id = _session_of(run.tags)
    if session_id is None:
        return
    steps = [
        (
            event.step_key or "run",
            event.step_failure_data.error.message
            if event.step_failure_data and event.step_failure_data.error
            else None,
        )
        for event in context.get_step_failure_events()
    ]
    message = describe_failure(steps, context.failure_event.message)
    with session_scope(database.get_url()) as db:
        repo.move_status(
            db, session_id, SessionStatus.FAILED, allowed_from=repo.IN_FLIGHT, error_message=message
        )


STUCK_AFTER_SECS = 300
LIVE_STATUSES = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
    DagsterRunStatus.CANCELING,
]


@sensor(
    job=process_session_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "Finds sessions left UPLOADED/TRANSCRIBING/ANALYZING with no live run (a lost "
        "delivery, a killed worker) and requests, relaunches or fails them."
    ),
)
def stuck_session_sensor(
    context: SensorEvaluationContext, database: DatabaseResource
) -> SensorResult | SkipReason:
    from dagster import RunsFilter

    url = database.get_url()
    now = repo.utcnow()
    with session_scope(url) as db:
        rows = db.execute(
            select(
                SpeakingSession.id,
                SpeakingSession.status,
                SpeakingSession.processing_requested_at,
                SpeakingSession.updated_at,
            ).where(SpeakingSession.status.in_(repo.IN_FLIGHT))
        ).all()
    requests: list[RunRequest] = []
    for session_id, status, requested_at, updated_at in rows:
        runs = context.instance.get_runs(
            RunsFilter(job_name=process_session_job.name, tags={PARTITION_TAG: session_id})
        )
        live = sum(1 for r in runs if r.status in LIVE_STATUSES)
        state = StuckSession(
            status=status.value,
            requested=requested_at is not None,
            age_secs=(now - updated_at).total_seconds(),
            live_runs=live,
            finished_runs=len(runs) - live,
        )
        action = decide(state, stuck_after_secs=STUCK_AFTER_SECS)
        if action is Recovery.REQUEST:
            request_processing(url, session_id)
        elif action is Recovery.RELAUNCH:
            context.log.info("relaunching stuck session %s (%s)", session_id, status.value)
            requests.append(
                RunRequest(
                    run_key=f"{intake_run_key(session_id)}:relaunch:{len(runs)}",
                    partition_key=session_id,
                    tags={"speaking/session": session_id, "speaking/relaunch": str(len(runs))},
                )
            )
        elif action is Recovery.FAIL:
            with session_scope(url) as db:
                repo.move_status(
                    db,
                    session_id,
                    SessionStatus.FAILED,
                    allowed_from=repo.IN_FLIGHT,
                    error_message=(
                        f"processing stopped without finishing after {len(runs)} attempts"
                    ),
                )
    if not requests:
        return SkipReason("no stuck session to relaunch")
    return SensorResult(run_requests=requests)
