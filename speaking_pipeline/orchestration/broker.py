"""The embedded default's broker: kombu's SQLAlchemy transport on the Dagster database, with
a poll that costs one statement and leaves no delivered message behind."""

from __future__ import annotations

import json
from queue import Empty
from typing import Any

from kombu.transport.sqlalchemy import Channel as SQLAlchemyChannel
from kombu.transport.sqlalchemy import Transport as SQLAlchemyTransport

from speaking_pipeline.db.broker_queue import sweep_delivered, take_oldest


class PostgresChannel(SQLAlchemyChannel):  # type: ignore[misc]
    """kombu's channel with one `DELETE … RETURNING` per poll.

    kombu's own `_get` looks the queue up, locks the oldest message and marks it invisible:
    three statements ten times a second per worker (a share of the idle stack's CPU), and
    every delivered message stays in `kombu_message` for ever. A delivered message is only
    in the consumer's memory from then on either way (kombu restores unacked ones by
    publishing them again, never from the row), so deleting it changes nothing else."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[no-untyped-call]
        # Queues are created once and never dropped by this transport.
        self._queue_ids: dict[str, int] = {}
        self._swept = False

    def _queue_id(self, queue: str) -> int:
        if queue not in self._queue_ids:
            self._queue_ids[queue] = int(self._get_or_create(queue).id)  # type: ignore[no-untyped-call]
        return self._queue_ids[queue]

    def _get(self, queue: str, timeout: float | None = None) -> Any:
        messages = self.message_cls.__table__
        session = self.session
        try:
            if not self._swept:
                # What kombu's own `_get` left behind before this transport was used.
                sweep_delivered(session, messages)
                self._swept = True
            payload = take_oldest(session, messages, self._queue_id(queue))
        finally:
            session.commit()
        if payload is None:
            raise Empty()
        # kombu stores the payload as JSON text (its `_put`: json.dumps into a Text column).
        return json.loads(payload)


class PostgresTransport(SQLAlchemyTransport):  # type: ignore[misc]
    """kombu's SQLAlchemy transport with the channel above, polling every 0.1 s instead of
    every 1 s: the poll interval is most of a run's wait in the queue. (kombu hands every
    transport option to `create_engine`, so neither can be set as an option.)"""

    Channel = PostgresChannel
    polling_interval = 0.1
