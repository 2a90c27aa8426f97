"""The migrations build the data model on a real PostgreSQL, and deletes cascade."""

from __future__ import annotations

from sqlalchemy import func, select

from speaking_pipeline.db.engine import session_scope
from speaking_pipeline.db.models import (
    InsightRow,
    SessionStatus,
    SpeakingSession,
    Transcript,
    User,
)


def test_session_delete_cascades_to_transcript_and_insights(fresh_db_url: str) -> None:
    with session_scope(fresh_db_url) as db:
        user = User(external_id="learner-1")
        db.add(user)
        db.flush()
        session = SpeakingSession(user_id=user.id, status=SessionStatus.DONE)
        db.add(session)
        db.flush()
        db.add(Transcript(session_id=session.id, text="hello there", word_count=2))
        db.add(
            InsightRow(
                session_id=session.id,
                code="vocabulary.filler_words",
                category="vocabulary",
                pattern="Filler words",
                detail="d",
                frequency=3,
                severity="high",
                examples=["um", "uh"],
                suggestion="s",
            )
        )
        session_id = session.id

    with session_scope(fresh_db_url) as db:
        db.delete(db.get(SpeakingSession, session_id))

    with session_scope(fresh_db_url) as db:
        assert db.scalar(select(func.count()).select_from(Transcript)) == 0
        assert db.scalar(select(func.count()).select_from(InsightRow)) == 0
        assert db.scalar(select(func.count()).select_from(User)) == 1
