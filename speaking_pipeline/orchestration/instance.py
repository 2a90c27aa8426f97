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
# "warm": runs go to the Celery run workers (orchestration/workers.py); unset: Dagster's
# default launcher, one process per run. `up` sets it for all its children.
RUN_LAUNCHER_ENV = "SPEAKING_RUN_LAUNCHER"
BROKER_URL_ENV = "SPEAKING_BROKER_URL"
RESULT_BACKEND_ENV = "SPEAKING_RESULT_BACKEND"
WORKER_QUEUE_ENV = "SPEAKING_WORKER_QUEUE"


def database_broker_url(dagster_pg_url: str) -> str:
    """The broker on the Dagster database (kombu's SQLAlchemy transport). kombu reads
    `x+y://` as transport `x`, so the URL has no driver suffix (psycopg2 is used)."""
    return "postgresql://" + dagster_pg_url.split("://", 1)[1]


def result_backend_url(dagster_pg_url: str) -> str:
    """Celery's database result backend on the Dagster database, readable by every process
    (unlike `rpc://`, whose results only the sending process can read)."""
    return "db+postgresql://" + dagster_pg_url.split("://", 1)[1]


def instance_config(
    max_concurrent_runs: int = 4, provider_calls: int = 2, *, warm_workers: bool = False
) -> dict[str, object]:
    """dagster.yaml: run, event and schedule storage in PostgreSQL; a run queue and
    per-provider pools so a burst of uploads queues instead of stampeding the model APIs.

    Each provider step declares a pool (`transcriber`, `analyzer`); `default_limit` bounds
    concurrent steps per pool, and `dagster instance concurrency set POOL N` tunes one."""
    config: dict[str, object] = {
        # dagster-postgres's storage with pooled connections (orchestration/storage.py).
        "storage": {
            "custom": {
                "module": "speaking_pipeline.orchestration.storage",
                "class": "PooledPostgresStorage",
                "config": {"postgres_url": {"env": DAGSTER_PG_URL_ENV}},
            }
        },
        # No capture of the run processes' stdout/stderr: Dagster's local capture starts a
        # `tail` and a Python watcher process per stream for every run (four processes per
        # session), and whatever a library printed (a transcript, say) would be kept in
        # Dagster's storage. Steps log through `context.log`, which is the event log; the
        # raw output of a run worker stays in its own log (`up`'s output).
        "compute_logs": {
            "module": "dagster._core.storage.noop_compute_log_manager",
            "class": "NoOpComputeLogManager",
        },
        "run_coordinator": {
            # Dagster's queue with a 0.5 s dequeue tick (orchestration/coordinator.py): its
            # default 5 s between dequeues was most of a learner's wait for a short clip.
            "module": "speaking_pipeline.orchestration.coordinator",
            "class": "PromptQueuedRunCoordinator",
            "config": {"dequeue_use_threads": True},
        },
        "concurrency": {
            "runs": {
                "max_concurrent_runs": max_concurrent_runs,
                "tag_concurrency_limits": [
                    {"key": "speaking/kind", "value": "reanalyze", "limit": 2},
                ],
            },
            # The queue is pool-aware: it holds back a run whose first step's pool is full.
            # Without a buffer no run waits in the broker while both transcriber slots are
            # taken, so each worker process idled for a dequeue tick, the launch and the
            # broker poll between runs (measured: one of the two processes idle a third of
            # a burst). The buffer lets that many more runs be launched; they wait in the
            # broker for a worker process, which takes one as it frees up, when a slot is
            # free again too.
            "pools": {
                "default_limit": provider_calls,
                "granularity": "op",
                "op_granularity_run_buffer": max(0, max_concurrent_runs - provider_calls),
            },
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
        # The outcome sensor ticks every second and the intake backstop every five: Dagster
        # keeps skipped ticks 7 days by default (about 1.5 million rows of `job_ticks`),
        # and deletes the expired ones on every tick. One day is enough to read a sensor's
        # recent history in the UI; ticks that did something are kept for ever.
        "retention": {"sensor": {"purge_after_days": {"skipped": 1, "failure": 30}}},
        "schedules": {"use_threads": True, "num_workers": 2},
        "telemetry": {"enabled": False},
    }
    if warm_workers:
        config["run_launcher"] = {
            "module": "speaking_pipeline.orchestration.workers",
            "class": "WarmRunLauncher",
            "config": {
                "broker": {"env": BROKER_URL_ENV},
                "backend": {"env": RESULT_BACKEND_ENV},
                "default_queue": {"env": WORKER_QUEUE_ENV},
            },
        }
        # A killed worker is seen by its missing heartbeats (orchestration/workers.py):
        # checked this often, its run fails and the run retry relaunches it.
        monitoring = dict(config["run_monitoring"])  # type: ignore[call-overload]
        monitoring.update(
            poll_interval_seconds=5,
            max_resume_run_attempts=0,
            # A killed worker's run held pool slots; they are freed once it has ended.
            free_slots_after_run_end_seconds=FREE_SLOTS_AFTER_RUN_END_SECS,
        )
        config["run_monitoring"] = monitoring
    return config


def prepare_dagster_home(dagster_home: Path, dagster_db_url: str) -> Path:
    """Write dagster.yaml and export DAGSTER_HOME and the storage URL for child processes."""
    dagster_home.mkdir(parents=True, exist_ok=True)
    warm = os.environ.get(RUN_LAUNCHER_ENV) == "warm"
    pg_url = dagster_postgres_url(dagster_db_url)
    if warm:
        os.environ.setdefault(BROKER_URL_ENV, database_broker_url(pg_url))
        # Always this database's: results are read by the daemon and the workers alike.
        os.environ[RESULT_BACKEND_ENV] = result_backend_url(pg_url)
        os.environ.setdefault(WORKER_QUEUE_ENV, "dagster")
    config = instance_config(warm_workers=warm)
    (dagster_home / "dagster.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    os.environ[DAGSTER_PG_URL_ENV] = pg_url
    return dagster_home


@lru_cache(maxsize=4)
def instance_at(dagster_home: str) -> DagsterInstance:
    return DagsterInstance.from_config(dagster_home)
