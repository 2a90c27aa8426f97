"""Sensors that launch session runs and write their outcome back to the session row."""

import os
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from dagster import (
    DagsterEvent,
    DagsterEventType,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    DefaultSensorStatus,
    EventLogRecord,
    ResourceParam,
    RetryRequested,
    RunRequest,
    RunsFilter,
    RunStatusChangeRecordsFilter,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)
from dagster._core.event_api import RunStatusChangeEventType

from speaking_pipeline.config import get_settings
from speaking_pipeline.db.repository import Repository
from speaking_pipeline.defs.sessions.assets import fluency, insights, pattern_profile, transcript
from speaking_pipeline.defs.sessions.checks import insights_checks, transcript_checks
from speaking_pipeline.defs.sessions.jobs import process_session_job, reanalyze_sessions_job
from speaking_pipeline.defs.sessions.names import (
    LAUNCHED_BY_TAG,
    PARTITION_TAG,
    RUN_KEY_TAG,
    intake_run_key,
    run_tags,
)
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
from speaking_pipeline.domain.lifecycle import Event, SessionStatus
from speaking_pipeline.domain.recovery import Recovery, StuckSession, decide
from speaking_pipeline.pipeline.failing import fail_session
from speaking_pipeline.pipeline.intake import request_processing
from speaking_pipeline.storage.base import AudioStore

WILL_RETRY_TAG = "dagster/will_retry"
# A learner waits on this after the run has ended: every loop of the sensor daemon, which
# `up` runs with a 0.5 s loop instead of Dagster's fixed 5 s (orchestration/daemon.py).
STATUS_SENSOR_INTERVAL = 1
# Both jobs move a session's status (re-analysis of a FAILED session goes through
# ANALYZING), so both report their outcome.
SESSION_JOBS = [process_session_job, reanalyze_sessions_job]
SESSION_JOB_NAMES = {job.name for job in SESSION_JOBS}
# How a failure message names each step; keyed by the definitions' own names, so a renamed
# asset or check cannot fall out of step with it.
STEP_NAMES = {
    transcript.op.name: "transcription",
    insights.op.name: "analysis",
    fluency.op.name: "fluency metrics",
    pattern_profile.op.name: "profile update",
    transcript_checks.node_def.name: "transcript checks",
    insights_checks.node_def.name: "insight checks",
}


def _session_of(tags: Mapping[str, str]) -> str | None:
    """The run's session; None for a partition key that cannot be one (added by hand in
    the UI): its run already failed saying so, and there is no row to update."""
    key = tags.get(PARTITION_TAG)
    return key if is_session_id(key) else None


def _launched_at_intake(instance: DagsterInstance, session_id: str) -> bool:
    """Whether the API already launched the session's run (it carries the run key)."""
    runs = instance.get_run_records(
        filters=RunsFilter(tags={RUN_KEY_TAG: intake_run_key(session_id)}), limit=1
    )
    return bool(runs)


# A backstop: with the launch at intake working, every evaluation finds nothing to do.
INTAKE_SENSOR_INTERVAL = 5


@sensor(
    job=process_session_job,
    minimum_interval_seconds=INTAKE_SENSOR_INTERVAL,
    default_status=DefaultSensorStatus.RUNNING,
    description="Backstop: launches the run of any requested session the launch at intake "
    "missed (one run per session: run_key dedupes).",
)
def session_intake_sensor(
    context: SensorEvaluationContext, database: ResourceParam[Repository]
) -> SensorResult | SkipReason:
    # The API launches each run right after recording its request; a request older than
    # the backstop delay whose session has no run yet was missed (the API died between
    # its commit and the launch, or the webserver was down), so it is launched here.
    settings = get_settings()
    # Without a launch at intake (no webserver address given), this sensor is the launcher.
    backstop = settings.intake_backstop_secs if settings.dagster_graphql_url else 0.0
    before = datetime.now(UTC) - timedelta(seconds=backstop)
    pending = [
        s
        for s in database.requested_sessions(limit=100, requested_before=before)
        if not _launched_at_intake(context.instance, s.id)
    ]
    if not pending:
        return SkipReason("no session waiting")
    # Dagster skips a RunRequest whose run_key this sensor already used, so a session
    # requested twice still gets one run. The partitions exist already: the upload adds
    # each one before its session counts as UPLOADED (pipeline/sessions.py).
    return SensorResult(
        run_requests=[
            RunRequest(
                run_key=intake_run_key(s.id),
                partition_key=s.id,
                tags={
                    **run_tags(s.id, s.user_id, s.created_at),
                    LAUNCHED_BY_TAG: "intake-sensor",
                },
            )
            for s in pending
        ]
    )


def _is_wrapper(cls_name: str | None) -> bool:
    """Dagster's own exceptions around the user's: RetryRequested (and its private
    RetryRequestedFromPolicy, raised by a RetryPolicy) and the Dagster* errors."""
    name = cls_name or ""
    return name.startswith((RetryRequested.__name__, "Dagster"))


def _failure_cause(event: DagsterEvent) -> str | None:
    """What went wrong in a failed step: a Failure's description (permanent errors), else
    the exception that exhausted the retries."""
    data = event.step_failure_data
    if data is None:
        return None
    if data.user_failure_data is not None and data.user_failure_data.description:
        return data.user_failure_data.description
    error = data.error
    # After the last retry Dagster records the RetryRequested, with the exception that
    # caused the retries (inside Dagster's own wrappers) as its cause.
    while error is not None and error.cause is not None and _is_wrapper(error.cls_name):
        error = error.cause
    if error is None:
        return None
    return error_text(error.cls_name, error.message)


# Dagster tags a failed run dagster/will_retry (true or false) just after it stores the
# failure, in a second write; a sensor tick can fall in between. Waited for this long.
RETRY_DECISION_WAIT_SECS = 3.0


def _with_retry_decision(instance: DagsterInstance, run: DagsterRun) -> DagsterRun:
    """The run as stored once Dagster has decided whether it retries it (when run retries
    are on): without this, a run about to be retried could mark its session FAILED."""
    deadline = time.monotonic() + RETRY_DECISION_WAIT_SECS
    while True:
        stored = instance.get_run_by_id(run.run_id) or run
        if not instance.run_retries_enabled or WILL_RETRY_TAG in stored.tags:
            return stored
        if time.monotonic() >= deadline:
            return stored
        time.sleep(0.1)


# Dagster's run-status sensors watch one status each, and every evaluation costs the
# daemon, the code server and the database the same whether or not a run ended (measured:
# about 30 ms of CPU each: two a second were a third of the idle stack's CPU). One sensor
# reads both outcomes in one evaluation, with the same storage-id cursor Dagster's own use.
OUTCOME_EVENTS: tuple[RunStatusChangeEventType, ...] = (
    DagsterEventType.RUN_SUCCESS,
    DagsterEventType.RUN_FAILURE,
)
# Outcomes read per evaluation and event type; more wait for the next evaluation. Dagster's
# run-status sensors take 5 by default, so a burst finishing together waited minutes.
OUTCOME_FETCH_LIMIT = 100


def _outcomes_after(instance: DagsterInstance, after: int) -> list[EventLogRecord]:
    """The run successes and failures stored after `after`, oldest first."""
    # Filtered by job in the database where the storage can (PostgreSQL's cannot yet);
    # the runs are checked again by job name once read.
    jobs = (
        list(SESSION_JOB_NAMES)
        if instance.event_log_storage.supports_run_status_change_job_name_filter
        else None
    )
    batches = [
        instance.fetch_run_status_changes(
            RunStatusChangeRecordsFilter(
                event_type=event_type, after_storage_id=after, job_names=jobs
            ),
            limit=OUTCOME_FETCH_LIMIT,
            ascending=True,
        ).records
        for event_type in OUTCOME_EVENTS
    ]
    return merge_in_storage_order(batches, OUTCOME_FETCH_LIMIT)


def merge_in_storage_order(
    batches: Sequence[Sequence[EventLogRecord]], limit: int
) -> list[EventLogRecord]:
    """Records fetched per event type (each oldest first, at most `limit`), merged oldest
    first. A batch that filled its limit may have more after its last record, so the merge
    stops there: the cursor then passes over no record of another type."""
    full = [b[-1].storage_id for b in batches if len(b) >= limit]
    upto = min(full) if full else None
    merged = sorted((r for b in batches for r in b), key=lambda r: r.storage_id)
    return [r for r in merged if upto is None or r.storage_id <= upto]


def _latest_outcome_id(instance: DagsterInstance) -> int:
    latest = [
        instance.fetch_run_status_changes(event_type, limit=1).records
        for event_type in OUTCOME_EVENTS
    ]
    return max((r[0].storage_id for r in latest if r), default=-1)


@sensor(
    minimum_interval_seconds=STATUS_SENSOR_INTERVAL,
    default_status=DefaultSensorStatus.RUNNING,
    description="Marks a session DONE when its run succeeds, and FAILED when its run fails "
    "and no retry remains.",
)
def session_outcome_sensor(
    context: SensorEvaluationContext,
    database: ResourceParam[Repository],
    audio_store: ResourceParam[AudioStore],
) -> SkipReason:
    instance = context.instance
    if context.cursor is None:
        # As Dagster's run-status sensors start: from now, not from the whole history
        # (the stuck-session sensor completes anything that ended unseen).
        context.update_cursor(str(_latest_outcome_id(instance)))
        return SkipReason("starting after the latest run outcome")
    records = _outcomes_after(instance, int(context.cursor))
    runs = (
        {
            r.dagster_run.run_id: r.dagster_run
            for r in instance.get_run_records(RunsFilter(run_ids=list({r.run_id for r in records})))
        }
        if records
        else {}
    )
    for record in records:
        run = runs.get(record.run_id)
        event = record.event_log_entry.dagster_event
        if run is not None and event is not None and run.job_name in SESSION_JOB_NAMES:
            if event.event_type is DagsterEventType.RUN_SUCCESS:
                _mark_done(database, run)
            else:
                _mark_failed(context, database, audio_store, run, event)
        # If the evaluation fails further on, Dagster keeps the cursor it had: the next one
        # moves these sessions again, which changes nothing (the moves are idempotent).
        context.update_cursor(str(record.storage_id))
    return SkipReason(f"{len(records)} run outcome(s) recorded" if records else "no run ended")


def _mark_done(database: Repository, run: DagsterRun) -> None:
    session_id = _session_of(run.tags)
    if session_id is not None:
        database.move(session_id, Event.RUN_SUCCEEDED)


def _mark_failed(
    context: SensorEvaluationContext,
    database: Repository,
    audio_store: AudioStore,
    run: DagsterRun,
    failure: DagsterEvent,
) -> None:
    run = _with_retry_decision(context.instance, run)
    if run.tags.get(WILL_RETRY_TAG) == "true":
        return
    session_id = _session_of(run.tags)
    if session_id is None:
        return
    events = [
        r.event_log_entry.dagster_event
        for r in context.instance.get_records_for_run(
            run.run_id, of_type=DagsterEventType.STEP_FAILURE
        ).records
        if r.event_log_entry.dagster_event is not None
    ]
    steps = [(event.step_key or "run", _failure_cause(event)) for event in events]
    first = events[0] if events else None
    reason = reason_for_step(
        first.step_key if first is not None else None,
        _declared_reason(first) if first is not None else None,
    )
    # Operators get the cause (the log, the run's tags); the learner a fixed message.
    detail = describe_failure(steps, failure.message, STEP_NAMES)
    context.log.warning("session %s failed (%s): %s", session_id, reason.value, detail)
    context.instance.add_run_tags(
        run.run_id,
        {
            FAILURE_REASON_TAG: reason.value,
            FAILURE_STEP_TAG: (first.step_key if first is not None else None) or "run",
        },
    )
    fail_session(database, audio_store, session_id, Event.RUN_FAILED, reason)


def _declared_reason(event: DagsterEvent) -> Reason | None:
    """The reason a step declared on its permanent Failure (metadata `reason`)."""
    data = event.step_failure_data
    failure = data.user_failure_data if data is not None else None
    if failure is None:
        return None
    value = (failure.metadata or {}).get("reason")
    return reason_of(getattr(value, "value", value)) if value is not None else None


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


def _fail_abandoned_uploads(repo: Repository, audio_store: AudioStore, before: datetime) -> int:
    """Sessions still CREATED long after their upload began: the API died mid-upload.
    Whatever bytes reached storage are deleted and the session is marked FAILED."""
    rows = repo.abandoned_uploads(before)
    for session_id, key in rows:
        # Deleted first: the session is not ended yet, so the sweep would spare it.
        if key:
            audio_store.delete(key)
        fail_session(
            repo, audio_store, session_id, Event.UPLOAD_ABANDONED, Reason.UPLOAD_INCOMPLETE
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
    context: SensorEvaluationContext,
    database: ResourceParam[Repository],
    audio_store: ResourceParam[AudioStore],
) -> SensorResult | SkipReason:
    now = datetime.now(UTC)
    stuck_after = _stuck_after_secs()
    abandoned = _fail_abandoned_uploads(database, audio_store, now - timedelta(seconds=stuck_after))
    if abandoned:
        context.log.info("failed %d upload(s) that never completed", abandoned)
    requests: list[RunRequest] = []
    for row in database.in_flight_sessions():
        session_id, status = row.id, row.status
        state, attempts = _session_state(
            context.instance,
            session_id,
            status,
            row.requested,
            (now - row.updated_at).total_seconds(),
        )
        action = decide(state, stuck_after_secs=stuck_after)
        if action is Recovery.REQUEST:
            request_processing(database, session_id)
        elif action is Recovery.RELAUNCH:
            context.log.info("relaunching stuck session %s (%s)", session_id, status.value)
            requests.append(
                RunRequest(
                    # Deterministic per attempt: a second evaluation before the run shows
                    # up asks for the same run_key, which Dagster drops.
                    run_key=f"{intake_run_key(session_id)}:relaunch:{attempts}",
                    partition_key=session_id,
                    tags={
                        **run_tags(session_id, row.user_id, row.created_at),
                        "speaking/relaunch": str(attempts),
                    },
                )
            )
        elif action is Recovery.MARK_DONE:
            database.move(session_id, Event.FOUND_COMPLETED)
        elif action is Recovery.FAIL:
            context.log.warning(
                "session %s: processing stopped without finishing after %d attempts",
                session_id,
                attempts,
            )
            fail_session(
                database, audio_store, session_id, Event.ATTEMPTS_EXHAUSTED, Reason.INTERRUPTED
            )
    if not requests:
        return SkipReason("no stuck session to relaunch")
    return SensorResult(run_requests=requests)
