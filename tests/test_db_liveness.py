"""Pooled connections are pinged before use only after sitting idle, and a dead one is
replaced without an error."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from speaking_pipeline.db.liveness import ping_when_idle
from speaking_pipeline.db.urls import sqlalchemy_url


def _engine(url: str, idle_secs: float) -> Engine:
    return ping_when_idle(create_engine(sqlalchemy_url(url), pool_size=1), idle_secs)


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _kill(url: str, pid: int) -> None:
    """Terminate the backend and wait until the server has let it go."""
    killer = create_engine(sqlalchemy_url(url))
    with killer.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            alive = conn.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            ).scalar_one()
            conn.rollback()  # a fresh snapshot of pg_stat_activity each time
            if not alive:
                break
            time.sleep(0.05)
        else:
            raise AssertionError(f"backend {pid} still alive after 60 s")
    killer.dispose()


def test_an_idle_connection_whose_server_side_died_is_replaced_without_an_error(
    app_db_url: str,
) -> None:
    # A bound of 0: every connection handed back is pinged at its next checkout.
    engine = _engine(app_db_url, idle_secs=0.0)
    first = _backend_pid(engine)
    _kill(app_db_url, first)
    # Pinged, found dead, replaced.
    second = _backend_pid(engine)
    assert second != first
    engine.dispose()


def test_a_connection_handed_back_a_moment_ago_is_not_pinged(app_db_url: str) -> None:
    # The cost this saves is a round trip per checkout; what it gives up is shown here: a
    # connection killed within the bound fails its next statement once, and the pool is
    # then renewed.
    engine = _engine(app_db_url, idle_secs=60)
    first = _backend_pid(engine)
    _kill(app_db_url, first)
    with pytest.raises(OperationalError):
        _backend_pid(engine)
    assert _backend_pid(engine) != first
    engine.dispose()
