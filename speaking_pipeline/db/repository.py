"""Queries and writes of the app database, kept in one place and free of web or Dagster code."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, selectinload

from speaking_pipeline.analysis.base import AnalyzerRun
from speaking_pipeline.db.models import (
    DeliveryReceipt,
    InsightRow,
    PatternProfile,
    SessionStatus,
    SpeakingSession,
    Transcript,
    User,
    new_id,
)
from speaking_pipeline.domain.profile import InsightFact, SessionFacts, compute_profile
from speaking_pipeline.transcription.base import TranscriptResult

IN_FLIGHT = (SessionStatus.UPLOADED, SessionStatus.TRANSCRIBING, SessionStatus.ANALYZING)


def utcnow() -> datetime:
    return datetime.now(UTC)


def get_or_create_user(db: Session, external_id: str) -> User:
    # INSERT .. ON CONFLICT: two first uploads of one learner at once must not collide.
    db.execute(insert(User).values(id=new_id(), external_id=external_id).on_conflict_do_nothing())
    user = db.scalar(select(User).where(User.external_id == external_id))
    assert user is not None
    return user


def find_user(db: Session, external_id: str) -> User | None:
    return db.scalar(select(User).where(User.external_id == external_id))


def owned_session(db: Session, user: User, session_id: str) -> SpeakingSession | None:
    return db.scalar(
        select(SpeakingSession)
        .where(SpeakingSession.id == session_id, SpeakingSession.user_id == user.id)
        .options(selectinload(SpeakingSession.transcript), selectinload(SpeakingSession.insights))
    )


def list_sessions(
    db: Session, user: User, *, page: int, limit: int
) -> tuple[Sequence[SpeakingSession], int]:
    total = db.scalar(
        select(func.count()).select_from(SpeakingSession).where(SpeakingSession.user_id == user.id)
    )
    rows = db.scalars(
        select(SpeakingSession)
        .where(SpeakingSession.user_id == user.id)
        .order_by(SpeakingSession.created_at.desc(), SpeakingSession.id)
        .offset((page - 1) * limit)
        .limit(limit)
    ).all()
    return rows, int(total or 0)


def move_status(
    db: Session,
    session_id: str,
    to: SessionStatus,
    *,
    allowed_from: Iterable[SessionStatus],
    error_message: str | None = None,
) -> bool:
    """Conditional transition; False when the session is not in an allowed state (or gone)."""
    values: dict[str, object] = {"status": to, "updated_at": utcnow()}
    if to is SessionStatus.FAILED:
        values["error_message"] = error_message
    elif to is SessionStatus.DONE:
        values["error_message"] = None
    result = db.execute(
        update(SpeakingSession)
        .where(SpeakingSession.id == session_id, SpeakingSession.status.in_(list(allowed_from)))
        .values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def store_transcript(db: Session, session_id: str, result: TranscriptResult) -> None:
    """Insert or replace the session's transcript (a retried step writes it again)."""
    values = {
        "text": result.text,
        "word_count": result.word_count,
        "words": [w.model_dump() for w in result.words] or None,
        "language": result.language,
        "model": result.model,
    }
    db.execute(
        insert(Transcript)
        .values(id=new_id(), session_id=session_id, **values)
        .on_conflict_do_update(index_elements=[Transcript.session_id], set_=values)
    )


def replace_insights(db: Session, session_id: str, run: AnalyzerRun) -> int:
    """Replace the session's insights with this analysis, atomically with the caller's
    transaction: a retry or re-analysis never leaves two sets.

    The session row is locked first; a session deleted meanwhile raises LookupError and
    nothing is written."""
    locked = db.scalar(
        select(SpeakingSession.id).where(SpeakingSession.id == session_id).with_for_update()
    )
    if locked is None:
        raise LookupError(f"session {session_id} no longer exists; its analysis is dropped")
    db.execute(delete(InsightRow).where(InsightRow.session_id == session_id))
    insights = run.analysis.sorted_insights()
    for insight in insights:
        db.add(
            InsightRow(
                session_id=session_id,
                code=insight.code,
                category=insight.category,
                pattern=insight.pattern,
                detail=insight.detail,
                frequency=insight.frequency,
                severity=insight.severity.value,
                examples=list(insight.examples),
                suggestion=insight.suggestion,
                analyzer_version=run.analyzer_version,
            )
        )
    db.execute(
        update(SpeakingSession)
        .where(SpeakingSession.id == session_id)
        .values(
            focus_next=run.analysis.focus_next,
            summary=run.analysis.summary,
            analyzer_version=run.analyzer_version,
            updated_at=utcnow(),
        )
    )
    return len(insights)


def recurring_codes(db: Session, user_id: str, *, excluding_session: str) -> dict[str, int]:
    """code -> number of the learner's other analysed sessions that showed it."""
    rows = db.execute(
        select(InsightRow.code, func.count(func.distinct(InsightRow.session_id)))
        .join(SpeakingSession, SpeakingSession.id == InsightRow.session_id)
        .where(SpeakingSession.user_id == user_id, SpeakingSession.id != excluding_session)
        .group_by(InsightRow.code)
    ).all()
    return {code: int(n) for code, n in rows}


def recompute_profile(db: Session, user_id: str) -> PatternProfile:
    """Rebuild the learner's profile from their stored insights.

    The learner row is locked first so that two runs finishing together serialise here
    and the later one sees the earlier one's insights: no lost update."""
    db.execute(select(User.id).where(User.id == user_id).with_for_update())
    sessions = db.scalars(
        select(SpeakingSession)
        .where(SpeakingSession.user_id == user_id, SpeakingSession.summary.is_not(None))
        .options(selectinload(SpeakingSession.insights))
    ).all()
    facts = [
        SessionFacts(
            session_id=s.id,
            created_at=s.created_at,
            duration_secs=s.duration_secs,
            insights=tuple(
                InsightFact(i.code, i.category, i.pattern, i.frequency) for i in s.insights
            ),
        )
        for s in sessions
    ]
    patterns, focus = compute_profile(facts)
    values = {"patterns": patterns, "focus_areas": focus, "last_updated": utcnow()}
    db.execute(
        insert(PatternProfile)
        .values(id=new_id(), user_id=user_id, **values)
        .on_conflict_do_update(index_elements=[PatternProfile.user_id], set_=values)
    )
    profile = db.scalar(select(PatternProfile).where(PatternProfile.user_id == user_id))
    assert profile is not None
    return profile


def all_user_ids(db: Session) -> list[str]:
    return list(db.scalars(select(User.id).order_by(User.id)))


def remember_delivery(db: Session, jti: str, expires_at: datetime) -> bool:
    """Record a signed delivery's token id; False when it was seen before (a replay).

    Receipts are only needed until the token expires, so expired ones are pruned here."""
    db.execute(delete(DeliveryReceipt).where(DeliveryReceipt.expires_at < utcnow()))
    inserted = db.scalar(
        insert(DeliveryReceipt)
        .values(jti=jti, expires_at=expires_at)
        .on_conflict_do_nothing(index_elements=[DeliveryReceipt.jti])
        .returning(DeliveryReceipt.jti)
    )
    return inserted is not None


ENDED = (SessionStatus.DONE, SessionStatus.FAILED)


def leftover_audio(db: Session, session_id: str | None = None) -> list[tuple[str, str]]:
    """(session id, key) of audio that should be gone: sessions that ended (DONE or FAILED)
    whose audio was never recorded as deleted."""
    query = select(SpeakingSession.id, SpeakingSession.audio_url).where(
        SpeakingSession.status.in_(ENDED),
        SpeakingSession.audio_url.is_not(None),
        SpeakingSession.audio_deleted_at.is_(None),
    )
    if session_id is not None:
        query = query.where(SpeakingSession.id == session_id)
    return [(sid, key) for sid, key in db.execute(query.limit(500)).all() if key]


def mark_audio_deleted(db: Session, session_id: str) -> None:
    db.execute(
        update(SpeakingSession)
        .where(SpeakingSession.id == session_id, SpeakingSession.audio_deleted_at.is_(None))
        .values(audio_deleted_at=utcnow())
    )


def live_audio_sessions(db: Session, session_ids: Iterable[str]) -> set[str]:
    """Those of `session_ids` whose session exists and may still need its audio."""
    ids = list(session_ids)
    if not ids:
        return set()
    return set(
        db.scalars(
            select(SpeakingSession.id).where(
                SpeakingSession.id.in_(ids), SpeakingSession.status.not_in(ENDED)
            )
        )
    )


def abandoned_uploads(db: Session, before: datetime) -> list[str]:
    """Sessions still CREATED that were created before `before` (their upload died)."""
    return list(
        db.scalars(
            select(SpeakingSession.id).where(
                SpeakingSession.status == SessionStatus.CREATED,
                SpeakingSession.created_at < before,
            )
        )
    )


@dataclass(frozen=True)
class SessionRef:
    session_id: str
    user_id: str
    created_at: datetime


def requested_sessions(db: Session, *, limit: int) -> list[SessionRef]:
    """UPLOADED sessions whose processing was requested, oldest request first."""
    rows = db.execute(
        select(SpeakingSession.id, SpeakingSession.user_id, SpeakingSession.created_at)
        .where(
            SpeakingSession.status == SessionStatus.UPLOADED,
            SpeakingSession.processing_requested_at.is_not(None),
        )
        .order_by(SpeakingSession.processing_requested_at)
        .limit(limit)
    ).all()
    return [SessionRef(sid, uid, created) for sid, uid, created in rows]


def session_ref(db: Session, session_id: str) -> SessionRef | None:
    row = db.execute(
        select(SpeakingSession.id, SpeakingSession.user_id, SpeakingSession.created_at).where(
            SpeakingSession.id == session_id
        )
    ).first()
    return SessionRef(*row) if row is not None else None


@dataclass(frozen=True)
class InFlight:
    ref: SessionRef
    status: SessionStatus
    requested: bool
    updated_at: datetime


def in_flight_sessions(db: Session) -> list[InFlight]:
    rows = db.execute(
        select(
            SpeakingSession.id,
            SpeakingSession.user_id,
            SpeakingSession.created_at,
            SpeakingSession.status,
            SpeakingSession.processing_requested_at,
            SpeakingSession.updated_at,
        ).where(SpeakingSession.status.in_(IN_FLIGHT))
    ).all()
    return [
        InFlight(SessionRef(sid, uid, created), status, requested is not None, updated)
        for sid, uid, created, status, requested, updated in rows
    ]


def relation_exists(db: Session, schema: str, name: str) -> bool:
    """Whether a table or view `schema.name` exists (the analytics models, say)."""
    found = db.execute(
        text("SELECT to_regclass(:qualified)"),
        {"qualified": f'"{schema}"."{name}"'},
    ).scalar()
    return found is not None
