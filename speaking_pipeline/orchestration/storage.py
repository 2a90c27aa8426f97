"""Dagster's PostgreSQL storage with pooled connections, for the long-lived processes of `up`.

dagster-postgres gives every storage call a new connection (`NullPool`, so that short-lived
instances hold nothing open). Measured on a burst of sessions that was about 660
connections per session and 2.3 CPU s per session in PostgreSQL alone, mostly starting
backends: as much CPU as the session's own work. These classes keep dagster-postgres's
storage (tables, queries, migrations) and only swap its engine for a small pool:

- one pool per process and database, shared by all the instances the process builds (a
  code server builds one for each sensor tick, a run worker one per run), its
  connections checked before use, so a database restart costs no error
  (`db/dagster_pool.py`);
- the tables are checked (and created) once per process and database, not on every
  instance;
- a forked child never uses its parent's connections (SQLAlchemy's documented
  `dispose(close=False)` after fork).

Dagster's own `storage: postgres:` works the same with more connections; PgBouncer in front
of the server (docs/scaling.md) is the production answer for many machines."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
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


class _Pooled:
    """dagster-postgres's storage `__init__`, then the process's pooled engine in place of
    its own."""

    KIND: str

    def __init__(self, postgres_url: str, should_autocreate_tables: bool = True) -> None:
        with _tables_checked_once(self.KIND, postgres_url, should_autocreate_tables) as check:
            super().__init__(postgres_url, check)  # type: ignore[call-arg]
        self._engine = pooled_engine(postgres_url)


class PooledRunStorage(_Pooled, PostgresRunStorage):
    KIND = "run"


class PooledEventLogStorage(_Pooled, PostgresEventLogStorage):
    KIND = "event_log"


class PooledScheduleStorage(_Pooled, PostgresScheduleStorage):
    KIND = "schedule"


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
