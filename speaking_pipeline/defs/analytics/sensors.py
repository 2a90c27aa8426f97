"""Builds the analytics models once on a fresh stack, so analysts' first query finds them."""

from __future__ import annotations

from datetime import UTC, datetime

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    ResourceParam,
    RunRequest,
    RunsFilter,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from speaking_pipeline.db.repository import Repository
from speaking_pipeline.defs.analytics.project import DEFAULT_ANALYTICS_SCHEMA

DBT_JOB_NAME = "dbt_analytics_job"
# The first staging model: when it exists, `dbt build` has run on this database.
PROBE_MODEL = "stg_sessions"
_ACTIVE = [
    DagsterRunStatus.QUEUED,
    DagsterRunStatus.NOT_STARTED,
    DagsterRunStatus.STARTING,
    DagsterRunStatus.STARTED,
]


@sensor(
    job_name=DBT_JOB_NAME,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "Runs `dbt build` when the analytics schema has no models yet (a fresh stack), "
        "instead of waiting for the hourly schedule."
    ),
)
def analytics_bootstrap_sensor(
    context: SensorEvaluationContext, database: ResourceParam[Repository]
) -> RunRequest | SkipReason:
    if database.relation_exists(DEFAULT_ANALYTICS_SCHEMA, PROBE_MODEL):
        return SkipReason("the analytics models exist")
    active = context.instance.get_runs(RunsFilter(job_name=DBT_JOB_NAME, statuses=_ACTIVE), limit=1)
    if active:
        return SkipReason("a dbt build is already under way")
    # One attempt per hour at most (the run_key), should the build fail.
    hour = datetime.now(UTC).strftime("%Y-%m-%dT%H")
    return RunRequest(run_key=f"analytics-bootstrap:{hour}", tags={"speaking/kind": "bootstrap"})
