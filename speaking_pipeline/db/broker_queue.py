"""The database broker's poll in SQL: take a queue's oldest message in one statement."""

from __future__ import annotations

from sqlalchemy import Table, delete, select, true
from sqlalchemy.orm import Session


def take_oldest(session: Session, messages: Table, queue_id: int) -> str | None:
    """Delete the queue's oldest visible message and return its payload (None: empty).

    SKIP LOCKED lets consumers on several machines poll at once: each takes another row
    instead of waiting on the first one's lock."""
    oldest = (
        select(messages.c.id)
        .where(messages.c.queue_id == queue_id)
        .where(messages.c.visible == true())
        .order_by(messages.c.timestamp, messages.c.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    row = session.execute(
        delete(messages).where(messages.c.id == oldest).returning(messages.c.payload)
    ).first()
    return None if row is None else str(row.payload)


def sweep_delivered(session: Session, messages: Table) -> None:
    """Delete the messages kombu's own transport marked delivered (and kept)."""
    session.execute(delete(messages).where(messages.c.visible.is_(False)))
