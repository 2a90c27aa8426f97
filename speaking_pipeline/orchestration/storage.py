"""Dagster's PostgreSQL storage with pooled connections, for the long-lived processes of `up`.

dagster-postgres gives every storage call a new connection (`NullPool`, so that short-lived
instances hold nothing open). Measured on a burst of sessions that was about 660
connections per session and 2.3 CPU s per session in PostgreSQL alone, mostly starting
backends: as much CPU as the session's own work. These classes keep dagster-postgres's
storage (tables, queries, migrations) and only swap its engine for a small pool:

- one pool per process and database, shared by all the instances the process builds (a
  code server builds one for each sensor tick, a run worker one per run), a connection
  that sat idle checked before use, so a database restart costs at most one error per
  process (`db/dagster_pool.py`, `db/liveness.py`);
- the tables are checked (and created) once per process and database, not on every
  instance;
- what the schema has (the `instigators` table, a built index, a column) is asked once per
  process and database: dagster-postgres asks it again on nearly every call, by reflecting
  the catalog, and in an idle stack that was a quarter of the daemon's sampled CPU. Only a
  yes is kept: a table or index does not vanish under a running process, and one that a
  `dagster instance migrate` adds later is seen at its next call;
- a forked child never uses its parent's connections (SQLAlchemy's documented
  `dispose(close=False)` after fork).

Dagster's own `storage: postgres:` works the same with more connections; PgBouncer in front
of the server (docs/scaling.md) is the production answer for many machines."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from dagster._core.storage.config import pg_config
from dagster._serdes import ConfigurableClassData
from dagster_postgres import (
    DagsterPostgresStorage,
    PostgresEventLogStorage,
    PostgresRunStorage,
    PostgresScheduleStorage,
)
from dagster_postgres.utils import pg_url_from_config

from speaking_pipeline.db.dagster_pool import dagster_storage_engine

# Connections kept open per process (all its instances and storages share them), and how
# many more a burst may open (closed on return): the daemon's sensor, schedule and queue
# threads work at once.
POOL_SIZE = 4
MAX_OVERFLOW = 10
# Server-side idle timeouts and PgBouncer both close old connections; a fresh one sooner.
POOL_RECYCLE_SECS = 1800

_checked: set[tuple[int, str, str]] = set()
_checked_lock = threading.Lock()


def pooled_engine(postgres_url: str) -> Any:
    return dagster_storage_engine(
        postgres_url,
        pool_size=POOL_SIZE,
        max_overflow=MAX_OVERFLOW,
        recycle_secs=POOL_RECYCLE_SECS,
    )


@contextmanager
def _tables_checked_once(kind: str, postgres_url: str, wanted: bool) -> Iterator[bool]:
    """Whether this storage should check its tables: the process's first of its kind does,
    and the next one again if that check failed (the database was down, say)."""
    key = (os.getpid(), postgres_url, kind)
    with _checked_lock:
        now = wanted and key not in _checked
        _checked.add(key)
    try:
        yield now
    except BaseException:
        if now:
            _checked.discard(key)
        raise


_schema_facts: set[tuple[int, str, str]] = set()


class _Pooled:
    """dagster-postgres's storage `__init__`, then the process's pooled engine in place of
    its own."""

    KIND: str
    postgres_url: str

    def __init__(self, postgres_url: str, should_autocreate_tables: bool = True) -> None:
        with _tables_checked_once(self.KIND, postgres_url, should_autocreate_tables) as check:
            super().__init__(postgres_url, check)  # type: ignore[call-arg]
        self._engine = pooled_engine(postgres_url)

    def _schema_has(self, fact: str, ask: Callable[[], bool]) -> bool:
        """`ask()`, unless this process already heard yes for this database."""
        key = (os.getpid(), self.postgres_url, f"{self.KIND}:{fact}")
        if key in _schema_facts:
            return True
        found = ask()
        if found:
            _schema_facts.add(key)
        return found


class PooledRunStorage(_Pooled, PostgresRunStorage):
    KIND = "run"

    def has_run_stats_index_cols(self) -> bool:
        return self._schema_has("run_stats_cols", super().has_run_stats_index_cols)

    def has_bulk_actions_selector_cols(self) -> bool:
        return self._schema_has("bulk_selector_cols", super().has_bulk_actions_selector_cols)

    def has_backfill_id_column(self) -> bool:
        return self._schema_has("backfill_id_col", super().has_backfill_id_column)

    def has_bulk_action_job_name_column(self) -> bool:
        return self._schema_has("bulk_job_name_col", super().has_bulk_action_job_name_column)

    def has_backfill_tags_table(self) -> bool:
        return self._schema_has("backfill_tags", super().has_backfill_tags_table)


class PooledEventLogStorage(_Pooled, PostgresEventLogStorage):
    KIND = "event_log"

    def has_table(self, table_name: str) -> bool:
        ask = super().has_table
        return self._schema_has(f"table:{table_name}", lambda: ask(table_name))

    def has_asset_key_col(self, column_name: str) -> bool:
        ask = super().has_asset_key_col
        return self._schema_has(f"asset_key_col:{column_name}", lambda: ask(column_name))


class PooledScheduleStorage(_Pooled, PostgresScheduleStorage):
    KIND = "schedule"

    def has_instigators_table(self) -> bool:
        return self._schema_has("instigators", super().has_instigators_table)

    def _has_instigators_table(self, conn: Any) -> bool:  # a SQLAlchemy Connection
        ask = super()._has_instigators_table
        return self._schema_has("instigators", lambda: ask(conn))

    def has_secondary_index_table(self) -> bool:
        return self._schema_has("secondary_indexes", super().has_secondary_index_table)

    def has_built_index(self, migration_name: str) -> bool:
        ask = super().has_built_index
        return self._schema_has(f"index:{migration_name}", lambda: ask(migration_name))


class PooledPostgresStorage(DagsterPostgresStorage):
    """`storage: custom:` in dagster.yaml, with `storage: postgres:`'s config. Instances
    built from a ref (code servers, run workers) get this class too: the ref carries it."""

    def __init__(
        self,
        postgres_url: str,
        should_autocreate_tables: bool = True,
        inst_data: ConfigurableClassData | None = None,
    ) -> None:
        # Not DagsterPostgresStorage.__init__: it would build the unpooled storages first.
        self.postgres_url = postgres_url
        self.should_autocreate_tables = should_autocreate_tables
        self._inst_data = inst_data
        self._run_storage = PooledRunStorage(postgres_url, should_autocreate_tables)
        self._event_log_storage = PooledEventLogStorage(postgres_url, should_autocreate_tables)
        self._schedule_storage = PooledScheduleStorage(postgres_url, should_autocreate_tables)
        super(DagsterPostgresStorage, self).__init__()  # type: ignore[no-untyped-call]

    @classmethod
    def config_type(cls) -> Any:
        return pg_config()

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> PooledPostgresStorage:
        return cls(
            postgres_url=pg_url_from_config(config_value),  # type: ignore[arg-type]
            should_autocreate_tables=config_value.get("should_autocreate_tables", True),
            inst_data=inst_data,
        )
