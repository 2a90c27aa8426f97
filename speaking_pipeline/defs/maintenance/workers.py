"""Frees what dead run workers leave behind: runs marked running with no process, and pool slots."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus
from dagster._core.launcher import DefaultRunLauncher
from dagster._core.storage.dagster_run import FINISHED_STATUSES, RunsFilter

logger = logging.getLogger(__name__)

# Dagster's own run monitoring frees the slots of a run this long after it ended
# (`run_monitoring.free_slots_after_run_end_seconds`); the sweeper below takes what it misses.
FREE_SLOTS_AFTER_RUN_END_SECS = 10
DEAD_WORKER_MESSAGE = "the run worker process died (killed, or lost its database connection)"


@dataclass(frozen=True)
class SweepReport:
    dead_runs: list[str]
    freed_runs: list[str]


def _worker_pid(instance: DagsterInstance, run_id: str) -> int | None:
    """The pid the run worker reported when it started ("Started process for run")."""
    records = instance.get_records_for_run(
        run_id, of_type=DagsterEventType.ENGINE_EVENT, limit=20
    ).records
    for record in records:
        event = record.event_log_entry.dagster_event
        data = getattr(event, "engine_event_data", None) if event else None
        pid = (data.metadata or {}).get("pid") if data is not None else None
        if pid is not None:
            try:
                return int(str(getattr(pid, "value", pid)))
            except ValueError:
                return None
    return None


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    # A zombie has exited: its parent just has not reaped it yet.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def fail_dead_workers(instance: DagsterInstance) -> list[str]:
    """Report as failed every STARTED run whose worker process is gone.

    The local run launcher has no worker health check, so Dagster would otherwise wait for
    the run's max runtime. Only valid where the run workers live on this machine, which is
    what `up` runs. A failed run is retried by Dagster's run retries, and its slots freed.

    Only for the process-per-run launcher: a warm run worker (orchestration/workers.py)
    runs many runs in one long-lived process, maybe on another machine, so a pid says
    nothing there; its runs are checked by their heartbeats (run monitoring)."""
    if not isinstance(instance.run_launcher, DefaultRunLauncher):
        return []
    dead = []
    for record in instance.get_run_records(RunsFilter(statuses=[DagsterRunStatus.STARTED])):
        run = record.dagster_run
        pid = _worker_pid(instance, run.run_id)
        if pid is None:
            continue  # not started yet (run monitoring's start timeout covers that)
        if not _process_alive(pid):
            logger.warning(
                "run %s: worker pid %d is gone; reporting the run failed", run.run_id, pid
            )
            instance.report_run_failed(run, message=DEAD_WORKER_MESSAGE)
            dead.append(run.run_id)
    return dead


def free_slots_of_ended_runs(instance: DagsterInstance) -> list[str]:
    """Free the pool slots (claimed or pending) held by runs that ended or no longer exist.

    Dagster's run monitoring does this for ended runs it finds; a run that was deleted, or
    ended while the daemon was down, is caught here."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return []
    run_ids = storage.get_concurrency_run_ids()
    if not run_ids:
        return []
    live = {
        record.dagster_run.run_id
        for record in instance.get_run_records(RunsFilter(run_ids=list(run_ids)))
        if record.dagster_run.status not in FINISHED_STATUSES
    }
    freed = []
    for run_id in sorted(run_ids - live):
        storage.free_concurrency_slots_for_run(run_id)
        freed.append(run_id)
    return freed


def sweep(instance: DagsterInstance) -> SweepReport:
    dead = fail_dead_workers(instance)
    freed = free_slots_of_ended_runs(instance)
    return SweepReport(dead_runs=dead, freed_runs=freed)
