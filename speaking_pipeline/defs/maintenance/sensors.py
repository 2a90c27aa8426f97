"""Sensors that keep the pipeline flowing and storage clean whatever crashed meanwhile."""

from __future__ import annotations

from dagster import (
    DefaultSensorStatus,
    ResourceParam,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from speaking_pipeline.db.repository import Repository
from speaking_pipeline.defs.maintenance.workers import sweep
from speaking_pipeline.pipeline.failing import sweep_audio
from speaking_pipeline.storage.base import AudioStore

RUN_SWEEP_INTERVAL = 15
AUDIO_SWEEP_INTERVAL = 60


@sensor(
    minimum_interval_seconds=RUN_SWEEP_INTERVAL,
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "Reports as failed the runs whose worker process died (so that Dagster retries "
        "them) and frees pool slots still held by ended runs, so no run queues forever."
    ),
)
def run_worker_sweeper(context: SensorEvaluationContext) -> SkipReason:
    report = sweep(context.instance)
    for run_id in report.dead_runs:
        context.log.warning("run %s lost its worker; reported failed", run_id)
    for run_id in report.freed_runs:
        context.log.warning("freed pool slots held by ended run %s", run_id)
    return SkipReason(
        f"{len(report.dead_runs)} dead worker(s), {len(report.freed_runs)} run(s) freed"
    )


@sensor(
    minimum_interval_seconds=AUDIO_SWEEP_INTERVAL,
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "Finds recordings that no live session needs (the session ended, or no longer "
        "exists) and deletes them: audio lives only until it is transcribed or the "
        "session fails."
    ),
)
def leftover_audio_sensor(
    context: SensorEvaluationContext,
    database: ResourceParam[Repository],
    audio_store: ResourceParam[AudioStore],
) -> SkipReason:
    result = sweep_audio(database, audio_store)
    if result.ended_sessions or result.orphans:
        context.log.warning(
            "deleted leftover audio: %d of ended sessions, %d with no live session",
            result.ended_sessions,
            result.orphans,
        )
    return SkipReason(
        f"{result.ended_sessions} ended-session recording(s), {result.orphans} orphan(s) deleted"
    )
