"""A pooled connection is checked with a ping before use only when it has sat idle a while.

SQLAlchemy's `pool_pre_ping` pings on every checkout. A run worker checks a connection out
for each of the dozens of events a session run writes, and the API for each poll of the web
app: in a burst (py-spy) the pings were about a sixth of the samples a run worker spent
outside its steps' own work, and a round trip more per request. A connection handed back a
moment ago was alive a moment ago, so only one idle longer than `IDLE_PING_SECS` is
pinged; one that fails is replaced, as `pool_pre_ping` does (SQLAlchemy's documented
checkout-event recipe: raising `DisconnectionError` makes the pool retry with a new
connection).

What this gives up: a connection used within the last second of a database restart fails
its next statement once. SQLAlchemy then invalidates the whole pool, so the process's other
connections are replaced without an error."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DisconnectionError

IDLE_PING_SECS = 1.0
_RETURNED_AT = "speaking_pipeline.returned_at"


def ping_when_idle(engine: Engine, idle_secs: float = IDLE_PING_SECS) -> Engine:
    """Install the checks on `engine` (created without `pool_pre_ping`) and return it."""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED_AT)
        if returned is None or time.monotonic() - returned < idle_secs:
            # New (just connected) or just handed back.
            return
        try:
            # The dialect's own ping, as `pool_pre_ping` uses (it minds autocommit).
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("idle pooled connection is gone") from exc

    return engine
