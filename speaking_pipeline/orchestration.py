"""The Dagster instance (PostgreSQL-backed) and the calls the API makes into it."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import yaml
from dagster import AssetMaterialization, DagsterInstance

from speaking_pipeline.db.urls import dagster_postgres_url
from speaking_pipeline.defs.sessions.partitions import SESSIONS_PARTITIONS_NAME
from speaking_pipeline.run_sweeper import FREE_SLOTS_AFTER_RUN_END_SECS

DAGSTER_PG_URL_ENV = "SPEAKING_DAGSTER_PG_URL"


def instance_config(max_concurrent_runs: int = 4, provider_calls: int = 2) -> dict[str, object]:
    """dagster.yaml: run, event and schedule storage in PostgreSQL; a run queue and
    per-provider pools so a burst of uploads queues instead of stampeding the model APIs.

    Each provider step declares a pool (`transcriber`, `analyzer`); `default_limit` bounds
    concurrent steps per pool, and `dagster instance concurrency set POOL N` tunes one."""
    return {
        "storage": {"postgres": {"postgres_url": {"env": DAGSTER_PG_URL_ENV}}},
        "run_coordinator": {
            "module": "dagster._core.run_coordinator",
            "class": "QueuedRunCoordinator",
            # The default 5 s between dequeues is most of a learner's wait for a short clip.
            "config": {"dequeue_interval_seconds": 1, "dequeue_use_threads": True},
        },
        "concurrency": {
            "runs": {
                "max_concurrent_runs": max_concurrent_runs,
                "tag_concurrency_limits": [
                    {"key": "speaking/kind", "value": "reanalyze", "limit": 2},
                ],
            },
            "pools": {"default_limit": provider_calls, "granularity": "op"},
        },
        "run_retries": {"enabled": True, "max_retries": 1},
        # A run whose worker died keeps its pool slots until someone frees them; Dagster
        # frees those of ended runs after this many seconds (run_worker_sweeper catches the
        # rest: deleted runs, and runs that ended while the daemon was down).
        "run_monitoring": {
            "enabled": True,
            "poll_interval_seconds": 10,
            "free_slots_after_run_end_seconds": FREE_SLOTS_AFTER_RUN_END_SECS,
        },
        "sensors": {"use_threads": True, "num_workers": 4},
        "schedules": {"use_threads": True, "num_workers": 2},
        "telemetry": {"enabled": False},
    }


def prepare_dagster_home(dagster_home: Path, dagster_db_url: str) -> Path:
    """Write dagster.yaml and export DAGSTER_HOME and the storage URL for child processes."""
    dagster_home.mkdir(parents=True, exist_ok=True)
    (dagster_home / "dagster.yaml").write_text(yaml.safe_dump(instance_config(), sort_keys=False))
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    os.environ[DAGSTER_PG_URL_ENV] = dagster_postgres_url(dagster_db_url)
    # Run-status sensors handle 5 finished runs per tick by default: with a burst of uploads
    # finishing together, DONE/FAILED would lag by minutes. These raise the batch.
    os.environ.setdefault("DAGSTER_RUN_STATUS_SENSOR_PROCESS_LIMIT", "100")
    os.environ.setdefault("DAGSTER_RUN_STATUS_SENSOR_FETCH_LIMIT", "200")
    return dagster_home


@lru_cache(maxsize=4)
def instance_at(dagster_home: str) -> DagsterInstance:
    return DagsterInstance.from_config(dagster_home)


def register_uploaded_audio(
    instance: DagsterInstance,
    session_id: str,
    *,
    audio_format: str,
    size_bytes: int,
    duration_secs: float | None,
) -> None:
    """Add the session's partition and report its external `session_audio` asset:
    metadata only, the bytes stay in object storage."""
    instance.add_dynamic_partitions(SESSIONS_PARTITIONS_NAME, [session_id])
    instance.report_runless_asset_event(
        AssetMaterialization(
            asset_key="session_audio",
            partition=session_id,
            metadata={
                "format": audio_format,
                "size_bytes": size_bytes,
                "duration_secs": duration_secs if duration_secs is not None else -1.0,
            },
        )
    )


def remove_session_partition(instance: DagsterInstance, session_id: str) -> None:
    if instance.has_dynamic_partition(SESSIONS_PARTITIONS_NAME, session_id):
        instance.delete_dynamic_partition(SESSIONS_PARTITIONS_NAME, session_id)


PROVIDER_POOLS = ("transcriber", "analyzer")


def initialize_pools(instance: DagsterInstance) -> None:
    """Create the provider pools' limits once, before concurrent runs need them.

    Dagster creates a pool's row lazily when a step first claims it; two run workers doing
    so at once collide (an IntegrityError inside an aborted PostgreSQL transaction fails
    one run). Initialising first, from one process, avoids that race."""
    storage = instance.event_log_storage
    known = storage.get_concurrency_keys()
    for pool in PROVIDER_POOLS:
        if pool not in known:
            storage.initialize_concurrency_limit_to_default(pool)


def fail_orphaned_runs(instance: DagsterInstance) -> int:
    """Report as failed the runs a previous `up` left STARTING/STARTED.

    `up` owns every run worker on this machine, so at its start any run still marked as
    running lost its worker with the previous `up`. Failing it now (rather than waiting for
    its max runtime) lets the run retry or the stuck-session sensor pick the session up."""
    from dagster import DagsterRunStatus, RunsFilter

    orphans = instance.get_runs(
        RunsFilter(statuses=[DagsterRunStatus.STARTING, DagsterRunStatus.STARTED])
    )
    for run in orphans:
        instance.report_run_failed(run, message="the run worker stopped with the previous `up`")
    return len(orphans)
