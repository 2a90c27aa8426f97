"""The embedded default's broker (kombu's SQLAlchemy transport with our one-statement poll)
against a real PostgreSQL database: order, single delivery, no rows left behind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kombu import Connection
from sqlalchemy import create_engine, text

from speaking_pipeline.db.urls import dagster_postgres_url
from speaking_pipeline.orchestration.broker import PostgresTransport
from speaking_pipeline.orchestration.instance import database_broker_url


@pytest.fixture
def broker_url(dagster_db_url: str) -> str:
    return database_broker_url(dagster_postgres_url(dagster_db_url))


def _rows(url: str) -> dict[bool, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT visible, count(*) FROM kombu_message GROUP BY 1"))
            return {bool(visible): int(n) for visible, n in rows}
    finally:
        engine.dispose()


@pytest.fixture
def connection(broker_url: str) -> Iterator[Connection]:
    with Connection(broker_url, transport=PostgresTransport) as conn:
        yield conn


def test_messages_come_back_in_order_and_leave_no_row(
    connection: Connection, broker_url: str
) -> None:
    queue = connection.SimpleQueue("runs")
    for n in range(5):
        queue.put({"n": n})
    assert _rows(broker_url) == {True: 5}
    got = []
    for _ in range(5):
        message = queue.get(timeout=30)
        got.append(message.payload["n"])
        message.ack()
    assert got == [0, 1, 2, 3, 4]
    # kombu's own transport keeps every delivered message (visible = false) for ever.
    assert _rows(broker_url) == {}
    queue.close()


def test_two_consumers_never_get_the_same_message(broker_url: str) -> None:
    with (
        Connection(broker_url, transport=PostgresTransport) as first,
        Connection(broker_url, transport=PostgresTransport) as second,
    ):
        a, b = first.SimpleQueue("shared"), second.SimpleQueue("shared")
        for n in range(6):
            a.put({"n": n})
        seen = []
        for queue in (a, b, a, b, b, a):
            message = queue.get(timeout=30)
            seen.append(message.payload["n"])
            message.ack()
        assert sorted(seen) == list(range(6))
        a.close()
        b.close()


def test_rows_left_by_kombus_own_transport_are_swept(broker_url: str) -> None:
    # The stock transport marks a delivered message invisible and keeps it.
    with Connection("sqla+" + broker_url) as stock:
        queue = stock.SimpleQueue("runs")
        queue.put({"n": 0})
        queue.put({"n": 1})
        queue.get(timeout=30).ack()
        queue.close()
    assert _rows(broker_url) == {False: 1, True: 1}
    with Connection(broker_url, transport=PostgresTransport) as ours:
        queue = ours.SimpleQueue("runs")
        message = queue.get(timeout=30)
        assert message.payload == {"n": 1}
        message.ack()
        queue.close()
    assert _rows(broker_url) == {}
