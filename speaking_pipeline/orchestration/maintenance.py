"""What `up` does to the Dagster instance before it starts: pools and orphaned runs."""

from __future__ import annotations

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

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
    orphans = instance.get_runs(
        RunsFilter(statuses=[DagsterRunStatus.STARTING, DagsterRunStatus.STARTED])
    )
    for run in orphans:
        instance.report_run_failed(run, message="the run worker stopped with the previous `up`")
    return len(orphans)
