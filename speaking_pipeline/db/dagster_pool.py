"""Pooled engines for Dagster's PostgreSQL storages (used by orchestration/storage.py)."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict

from sqlalchemy import Engine, create_engine

from speaking_pipeline.db.liveness import ping_when_idle

# One engine per database and process, shared by every Dagster instance the process builds:
# a code server builds an instance for each sensor tick, and a run worker one per run.
# A process that talks to more databases (a test suite) keeps the last few; an older one
# is disposed (closing its idle connections; a storage still holding it opens new ones).
MAX_DATABASES = 4
_engines: OrderedDict[str, Engine] = OrderedDict()
_lock = threading.Lock()


def _forget_parent_pools() -> None:
    # A forked child must not use its parent's connections: SQLAlchemy's documented
    # `dispose(close=False)`, and engines of its own from now on.
    for engine in _engines.values():
        engine.dispose(close=False)
    _engines.clear()


os.register_at_fork(after_in_child=_forget_parent_pools)


def dagster_storage_engine(
    postgres_url: str, *, pool_size: int, max_overflow: int, recycle_secs: int
) -> Engine:
    """The process's pooled engine for Dagster's storage at `postgres_url` (a dagster-postgres
    URL)."""
    with _lock:
        engine = _engines.get(postgres_url)
        if engine is not None:
            _engines.move_to_end(postgres_url)
            return engine
        engine = create_engine(
            postgres_url,
            isolation_level="AUTOCOMMIT",  # as dagster-postgres: every statement commits
            pool_size=pool_size,
            max_overflow=max_overflow,
            # The connection handed back last is reused first, so the others sit idle (and
            # are pinged before use) instead of all taking turns.
            pool_use_lifo=True,
            pool_recycle=recycle_secs,
            hide_parameters=True,  # event payloads and run tags stay out of error texts
        )
        ping_when_idle(engine)
        _engines[postgres_url] = engine
        while len(_engines) > MAX_DATABASES:
            _, oldest = _engines.popitem(last=False)
            oldest.dispose()
        return engine
