"""Pooled engines for Dagster's PostgreSQL storages (used by orchestration/storage.py)."""

from __future__ import annotations

import os
import weakref

from sqlalchemy import Engine, create_engine

# Dagster's storage pools (orchestration/storage.py): kept per process, and forgotten by a
# forked child (SQLAlchemy's documented `dispose(close=False)`), which must not use its
# parent's connections.
_dagster_pools: weakref.WeakSet[Engine] = weakref.WeakSet()


def _forget_parent_pools() -> None:
    for engine in list(_dagster_pools):
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_parent_pools)


def dagster_storage_engine(
    postgres_url: str, *, pool_size: int, max_overflow: int, recycle_secs: int
) -> Engine:
    """A pooled engine for one of Dagster's PostgreSQL storages (a dagster-postgres URL)."""
    engine = create_engine(
        postgres_url,
        isolation_level="AUTOCOMMIT",  # as dagster-postgres: every statement commits
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
        pool_recycle=recycle_secs,
        hide_parameters=True,  # event payloads and run tags stay out of error texts
    )
    _dagster_pools.add(engine)
    return engine
