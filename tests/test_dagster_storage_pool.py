"""Dagster's storage with pooled connections: the same storage, far fewer connections."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy
import yaml
from dagster import DagsterInstance, DagsterRun, DagsterRunStatus
from dagster_postgres import PostgresRunStorage

from speaking_pipeline.db.urls import dagster_postgres_url
from speaking_pipeline.orchestration import storage as pooled
from speaking_pipeline.orchestration.instance import DAGSTER_PG_URL_ENV, instance_config


def _count_connections(engine: sqlalchemy.engine.Engine) -> list[int]:
    opened = [0]

    def on_connect(*_: object) -> None:
        opened[0] += 1

    sqlalchemy.event.listen(engine, "connect", on_connect)
    return opened


@pytest.fixture
def instance(
    dagster_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DagsterInstance]:
    monkeypatch.setenv(DAGSTER_PG_URL_ENV, dagster_postgres_url(dagster_db_url))
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(instance_config()))
    with DagsterInstance.from_config(str(tmp_path)) as made:
        yield made


def _runs(instance: DagsterInstance, n: int) -> None:
    for i in range(n):
        run = instance.add_run(DagsterRun(job_name=f"job_{i}", run_id=f"run-{os.getpid()}-{i}"))
        instance.report_engine_event("started", run)
        assert instance.get_run_by_id(run.run_id) is not None


def test_up_uses_the_pooled_storage_and_it_stores_runs_and_events(
    instance: DagsterInstance,
) -> None:
    assert isinstance(instance.run_storage, pooled.PooledRunStorage)
    assert isinstance(instance.event_log_storage, pooled.PooledEventLogStorage)
    assert isinstance(instance.schedule_storage, pooled.PooledScheduleStorage)
    run = instance.add_run(DagsterRun(job_name="process_session", run_id="pooled-run"))
    instance.report_engine_event("hello from the pool", run)
    instance.report_run_failed(run)
    stored = instance.get_run_by_id("pooled-run")
    assert stored is not None and stored.status == DagsterRunStatus.FAILURE
    messages = [e.message for e in instance.all_logs("pooled-run")]
    assert "hello from the pool" in messages
    # A ref (what code servers and run workers get) builds the same pooled storage.
    with DagsterInstance.from_ref(instance.get_ref()) as again:
        assert isinstance(again.run_storage, pooled.PooledRunStorage)
        assert again.get_run_by_id("pooled-run") is not None


def test_many_calls_share_a_few_connections_where_dagster_opens_one_each(
    instance: DagsterInstance, dagster_db_url: str
) -> None:
    engine = instance.run_storage._engine  # type: ignore[attr-defined]
    # One pool for the process: the three storages share it.
    assert instance.event_log_storage._engine is engine  # type: ignore[attr-defined]
    assert instance.schedule_storage._engine is engine  # type: ignore[attr-defined]
    counter = _count_connections(engine)
    _runs(instance, 40)
    assert counter[0] <= pooled.POOL_SIZE

    # The baseline: dagster-postgres's own run storage on the same database.
    plain = PostgresRunStorage(dagster_postgres_url(dagster_db_url))
    baseline = _count_connections(plain._engine)
    for _ in range(40):
        plain.get_runs(limit=1)
    assert baseline[0] >= 40


def test_a_second_instance_does_not_check_the_tables_again(
    instance: DagsterInstance, tmp_path: Path
) -> None:
    key = (os.getpid(), instance.run_storage.postgres_url, "run")  # type: ignore[attr-defined]
    assert key in pooled._checked
    instance.get_run_by_id("missing")  # a connection is in the pool now
    with DagsterInstance.from_config(str(tmp_path)) as second:
        opened = _count_connections(second.run_storage._engine)  # type: ignore[attr-defined]
        assert second.get_run_by_id("missing") is None
        assert opened[0] == 0  # the first instance's connection, reused


def _statements(engine: sqlalchemy.engine.Engine) -> list[str]:
    seen: list[str] = []

    def on_execute(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    sqlalchemy.event.listen(engine, "before_cursor_execute", on_execute)
    return seen


def test_a_sensor_ticks_storage_calls_ask_the_catalog_once_per_process(
    instance: DagsterInstance, tmp_path: Path
) -> None:
    from dagster._core.definitions.run_request import InstigatorType
    from dagster._core.remote_origin import (
        InProcessCodeLocationOrigin,
        RemoteInstigatorOrigin,
        RemoteRepositoryOrigin,
    )
    from dagster._core.scheduler.instigation import (
        InstigatorState,
        InstigatorStatus,
        TickData,
        TickStatus,
    )
    from dagster._core.types.loadable_target_origin import LoadableTargetOrigin

    origin = RemoteInstigatorOrigin(
        RemoteRepositoryOrigin(
            InProcessCodeLocationOrigin(LoadableTargetOrigin(python_file=__file__)), "repo"
        ),
        "a_sensor",
    )
    state = InstigatorState(origin, InstigatorType.SENSOR, InstigatorStatus.RUNNING)

    def one_tick(on: DagsterInstance) -> None:
        # What the sensor daemon does around each evaluation.
        on.get_instigator_state(origin.get_id(), state.selector_id)
        on.update_instigator_state(state)
        tick = on.create_tick(
            TickData(
                instigator_origin_id=origin.get_id(),
                instigator_name="a_sensor",
                instigator_type=InstigatorType.SENSOR,
                status=TickStatus.STARTED,
                timestamp=1.0,
                selector_id=state.selector_id,
            )
        )
        on.update_tick(tick.with_status(TickStatus.SKIPPED))

    instance.add_instigator_state(state)
    one_tick(instance)  # the process learns what the schema has
    with DagsterInstance.from_config(str(tmp_path)) as later:  # a code server's next tick
        seen = _statements(later.schedule_storage._engine)  # type: ignore[union-attr]
        one_tick(later)
    catalog = [s for s in seen if "pg_catalog" in s or "information_schema" in s]
    assert seen and catalog == []


def test_a_process_keeps_the_pools_of_its_last_few_databases(
    dagster_db_url: str, pg_server_url: str
) -> None:
    from speaking_pipeline.db import dagster_pool
    from tests.databases import create_database, drop_database

    first = pooled.pooled_engine(dagster_postgres_url(dagster_db_url))
    assert pooled.pooled_engine(dagster_postgres_url(dagster_db_url)) is first
    with first.connect():
        pass
    assert first.pool.checkedin() == 1
    others = [create_database(pg_server_url, "sp_pool") for _ in range(dagster_pool.MAX_DATABASES)]
    try:
        for url in others:
            pooled.pooled_engine(dagster_postgres_url(url))
        # The oldest was disposed: its idle connection closed; it still works on demand.
        assert first.pool.checkedin() == 0
        with first.connect() as conn:
            assert conn.execute(sqlalchemy.text("select 1")).scalar() == 1
    finally:
        for url in others:
            drop_database(pg_server_url, url)


def test_a_forked_child_never_uses_its_parents_connections(instance: DagsterInstance) -> None:
    _runs(instance, 3)
    engine = instance.run_storage._engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        parent_backend = conn.execute(sqlalchemy.text("select pg_backend_pid()")).scalar()
    pid = os.fork()
    if pid == 0:  # the child: its own connection, then a normal exit (closing what it has)
        code = 1
        try:
            with engine.connect() as conn:
                child = conn.execute(sqlalchemy.text("select pg_backend_pid()")).scalar()
            code = 0 if child != parent_backend else 2
            engine.dispose()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    # The parent's pooled connection survived the child.
    with engine.connect() as conn:
        again = conn.execute(sqlalchemy.text("select pg_backend_pid()")).scalar()
    assert again == parent_backend
    assert instance.get_run_by_id(f"run-{os.getpid()}-0") is not None
