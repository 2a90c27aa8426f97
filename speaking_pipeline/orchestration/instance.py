"""The Dagster instance's configuration: PostgreSQL storage, the run queue and pools."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import yaml
from dagster import DagsterInstance

from speaking_pipeline.db.urls import dagster_postgres_url
from speaking_pipeline.defs.maintenance.workers import FREE_SLOTS_AFTER_RUN_END_SECS

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
