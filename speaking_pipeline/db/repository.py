"""Queries and writes of the app database, kept in one place and free of web or Dagster code."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, joinedload, selectinload

from speaking_pipeline.db.engine import engine_for, session_scope
from speaking_pipeline.db.models import (
    DeliveryReceipt,
    InsightRow,
    PatternProfile,
    ProfileCodeSession,
    ProfileSession,
    SpeakingSession,
    Transcript,
    User,
    new_id,
)
from speaking_pipeline.domain.checks import StoredInsight
from speaking_pipeline.domain.errors import NoTranscriptError, SessionGoneError
from speaking_pipeline.domain.ids import is_session_id
from speaking_pipeline.domain.lifecycle import (
    FINISHED,
    IN_FLIGHT,
    ErrorMessage,
    Event,
    Intake,
    SessionStatus,
    intake_of,
    transition,
)
from speaking_pipeline.domain.profile import (
    RECENT_SESSIONS,
    CodeTotals,
    InsightFact,
    SessionFacts,
    WindowSession,
    assemble_profile,
    compute_profile,
    session_frequencies,
)
from speaking_pipeline.domain.schema import AnalysisInput, AnalyzerRun
from speaking_pipeline.domain.transcript import TranscriptResult, Word


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


def owned_session(db: Session, external_id: str, session_id: str) -> SpeakingSession | None:
    """The learner's session with its transcript and insights, in one query (the learner,
    the session and its at most five insights joined): the web app polls it every 1.5 s
    while a session is processed, and four round trips made it the API's main cost under a
    burst. None for anyone else's session."""
    return (
        db.scalars(
            select(SpeakingSession)
            .join(User, User.id == SpeakingSession.user_id)
            .where(SpeakingSession.id == session_id, User.external_id == external_id)
            .options(joinedload(SpeakingSession.transcript), joinedload(SpeakingSession.insights))
        )
        .unique()
        .one_or_none()
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
    db: Session, session_id: str, event: Event, *, error_message: str | None = None
) -> bool:
    """Apply the lifecycle's move for `event` (domain/lifecycle.py), in one conditional
    UPDATE; False when the session is not in a state the move starts from (or is gone)."""
    move = transition(event, error_message)
    values: dict[str, object] = {"status": move.target, "updated_at": utcnow()}
    if move.error is ErrorMessage.SET:
        values["error_message"] = error_message
    elif move.error is ErrorMessage.CLEAR:
        values["error_message"] = None
    result = db.execute(
        update(SpeakingSession)
        .where(SpeakingSession.id == session_id, SpeakingSession.status.in_(list(move.sources)))
        .values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def transcript_of(db: Session, session_id: str) -> Transcript | None:
    return db.scalar(select(Transcript).where(Transcript.session_id == session_id))


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


def _lock_learner(db: Session, user_id: str) -> None:
    # Two runs of one learner finishing together serialise here, and the later one sees
    # the earlier one's rows: no lost update.
    db.execute(select(User.id).where(User.id == user_id).with_for_update())


def _save_profile(
    db: Session,
    user_id: str,
    patterns: dict[str, Any],
    focus: list[dict[str, Any]],
    analysed: int,
) -> PatternProfile:
    values = {
        "patterns": patterns,
        "focus_areas": focus,
        "analysed_sessions": analysed,
        "last_updated": utcnow(),
    }
    db.execute(
        insert(PatternProfile)
        .values(id=new_id(), user_id=user_id, **values)
        .on_conflict_do_update(index_elements=[PatternProfile.user_id], set_=values)
    )
    profile = db.scalar(
        select(PatternProfile)
        .where(PatternProfile.user_id == user_id)
        .execution_options(populate_existing=True)
    )
    assert profile is not None
    return profile


def _profile_rows(
    user_id: str, s: SpeakingSession, insights: Sequence[InsightRow]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The session's profile rows: the session itself and one row per code it shows."""
    firsts: dict[str, InsightRow] = {}
    for i in insights:
        firsts.setdefault(i.code, i)
    freqs = session_frequencies(
        [InsightFact(i.code, i.category, i.pattern, i.frequency) for i in insights]
    )
    session_row = {
        "session_id": s.id,
        "user_id": user_id,
        "created_at": s.created_at,
        "duration_secs": s.duration_secs,
    }
    code_rows = [
        {
            "user_id": user_id,
            "code": code,
            "session_id": s.id,
            "created_at": s.created_at,
            "frequency": freq,
            "category": firsts[code].category,
            "pattern": firsts[code].pattern,
        }
        for code, freq in freqs.items()
    ]
    return session_row, code_rows


def _ordered_insights(s: SpeakingSession) -> list[InsightRow]:
    # A code's name in the profile is that of its first insight; both ways of computing
    # the profile take insights in this order.
    return sorted(s.insights, key=lambda i: i.id)


def recompute_profile(db: Session, user_id: str, *, excluding: str | None = None) -> PatternProfile:
    """Rebuild the learner's profile, and its per-session rows, from their stored insights.

    Cost grows with the learner's history: the schedule and re-analysis use it; a
    session run uses `update_profile_for_session`."""
    _lock_learner(db, user_id)
    sessions = db.scalars(
        select(SpeakingSession)
        .where(
            SpeakingSession.user_id == user_id,
            SpeakingSession.summary.is_not(None),
            SpeakingSession.id != (excluding or ""),
        )
        .options(selectinload(SpeakingSession.insights))
    ).all()
    facts = []
    session_rows: list[dict[str, Any]] = []
    code_rows: list[dict[str, Any]] = []
    for s in sessions:
        ordered = _ordered_insights(s)
        facts.append(
            SessionFacts(
                session_id=s.id,
                created_at=s.created_at,
                duration_secs=s.duration_secs,
                insights=tuple(
                    InsightFact(i.code, i.category, i.pattern, i.frequency) for i in ordered
                ),
            )
        )
        row, codes = _profile_rows(user_id, s, ordered)
        session_rows.append(row)
        code_rows.extend(codes)
    db.execute(delete(ProfileCodeSession).where(ProfileCodeSession.user_id == user_id))
    db.execute(delete(ProfileSession).where(ProfileSession.user_id == user_id))
    for chunk in range(0, len(session_rows), 1000):
        db.execute(insert(ProfileSession), session_rows[chunk : chunk + 1000])
    for chunk in range(0, len(code_rows), 1000):
        db.execute(insert(ProfileCodeSession), code_rows[chunk : chunk + 1000])
    patterns, focus = compute_profile(facts)
    return _save_profile(db, user_id, patterns, focus, len(facts))


def _totals_from(patterns: dict[str, Any]) -> dict[str, CodeTotals]:
    return {
        code: CodeTotals(
            count=int(p["count"]),
            sessions=int(p["sessions"]),
            category=str(p["category"]),
            pattern=str(p["pattern"]),
            last_seen=datetime.fromisoformat(str(p["lastSeen"])),
        )
        for code, p in patterns.items()
    }


def update_profile_for_session(
    db: Session, user_id: str, session_id: str, *, removing: bool = False
) -> PatternProfile:
    """Bring the learner's profile up to date with one session (analysed, re-analysed,
    or - with `removing` - about to be deleted), at a cost independent of their history.

    The session's previous rows are replaced by its current ones, so a retry or a
    duplicate delivery changes nothing; each touched code's totals move by the
    difference, and the recent window is read back from the rows."""
    _lock_learner(db, user_id)
    profile = db.scalar(select(PatternProfile).where(PatternProfile.user_id == user_id))
    if profile is None or profile.analysed_sessions is None:
        # Nothing to start from (a profile from before the rows): recompute once.
        return recompute_profile(db, user_id, excluding=session_id if removing else None)

    old_codes = {
        r.code: r
        for r in db.scalars(
            select(ProfileCodeSession).where(
                ProfileCodeSession.user_id == user_id,
                ProfileCodeSession.session_id == session_id,
            )
        )
    }
    was_counted = db.get(ProfileSession, session_id) is not None
    session = db.get(SpeakingSession, session_id)
    counted = (
        not removing
        and session is not None
        and session.user_id == user_id
        and session.summary is not None
    )
    db.execute(delete(ProfileCodeSession).where(ProfileCodeSession.session_id == session_id))
    db.execute(delete(ProfileSession).where(ProfileSession.session_id == session_id))
    new_codes: dict[str, dict[str, Any]] = {}
    if counted:
        assert session is not None
        row, codes = _profile_rows(user_id, session, _ordered_insights(session))
        db.execute(insert(ProfileSession).values(**row))
        if codes:
            db.execute(insert(ProfileCodeSession), codes)
        new_codes = {c["code"]: c for c in codes}

    totals = _totals_from(profile.patterns or {})
    for code in set(old_codes) | set(new_codes):
        old_freq = old_codes[code].frequency if code in old_codes else 0
        new_freq = int(new_codes[code]["frequency"]) if code in new_codes else 0
        before = totals.get(code)
        count = (before.count if before else 0) + new_freq - old_freq
        shown = (before.sessions if before else 0) + (new_freq > 0) - (old_freq > 0)
        if shown <= 0:
            totals.pop(code, None)
            continue
        # The code's first and last sessions: one index probe each, whatever the history.
        first = db.execute(
            select(ProfileCodeSession.category, ProfileCodeSession.pattern)
            .where(ProfileCodeSession.user_id == user_id, ProfileCodeSession.code == code)
            .order_by(ProfileCodeSession.created_at, ProfileCodeSession.session_id)
            .limit(1)
        ).one()
        last_seen = db.scalar(
            select(func.max(ProfileCodeSession.created_at)).where(
                ProfileCodeSession.user_id == user_id, ProfileCodeSession.code == code
            )
        )
        assert last_seen is not None
        totals[code] = CodeTotals(count, shown, first.category, first.pattern, last_seen)

    analysed = profile.analysed_sessions + int(counted) - int(was_counted)
    recent = db.scalars(
        select(ProfileSession)
        .where(ProfileSession.user_id == user_id)
        .order_by(ProfileSession.created_at.desc(), ProfileSession.session_id.desc())
        .limit(RECENT_SESSIONS)
    ).all()
    freqs: dict[str, dict[str, int]] = {r.session_id: {} for r in recent}
    for c in db.scalars(
        select(ProfileCodeSession).where(ProfileCodeSession.session_id.in_(list(freqs)))
    ):
        freqs[c.session_id][c.code] = c.frequency
    window = [
        WindowSession(r.session_id, r.created_at, r.duration_secs, freqs[r.session_id])
        for r in recent
    ]
    patterns, focus = assemble_profile(totals, analysed, window)
    return _save_profile(db, user_id, patterns, focus, analysed)


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


# --- The units of work the rest of the system asks for: one method, one transaction. ---


@dataclass(frozen=True)
class NewSession:
    id: str
    user_id: str
    audio_key: str


@dataclass(frozen=True)
class DeletedSession:
    user_id: str
    # The audio still in storage (None once it was deleted after transcription).
    audio_key: str | None


@dataclass(frozen=True)
class StoredTranscript:
    word_count: int
    language: str | None


@dataclass(frozen=True)
class TranscriptionJob:
    audio_key: str | None
    language: str
    audio_deleted: bool
    # Set when a transcript is already stored (a retry or a re-run reuses it).
    existing: StoredTranscript | None


@dataclass(frozen=True)
class InFlightSession:
    id: str
    status: SessionStatus
    requested: bool
    updated_at: datetime
    user_id: str
    created_at: datetime


@dataclass(frozen=True)
class RequestedSession:
    """A session waiting for its run: what the run's tags say about it."""

    id: str
    user_id: str
    created_at: datetime


@dataclass(frozen=True)
class StoredForChecks:
    transcript: str | None
    audio_key: str | None
    audio_marked_deleted: bool
    insights: list[StoredInsight]


@dataclass(frozen=True)
class ProfileSummary:
    user_id: str
    codes: int
    focus_areas: list[str]


class Repository:
    """The app database as the use cases, steps, sensors and checks see it: each method
    is one transaction that means one thing; no caller opens a transaction itself."""

    def __init__(self, url: str) -> None:
        self.url = url

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with session_scope(self.url) as db:
            yield db

    def _locked(self, db: Session, session_id: str, *, lock: bool = True) -> SpeakingSession:
        """The session row; with `lock`, held until the transaction ends, so that a deletion
        waits for this write and then removes what it wrote (instead of the write landing
        after the deletion)."""
        if not is_session_id(session_id):
            # A partition key added by hand in the UI; no query could find it (and a NUL
            # byte in it would be a driver error, not an answer).
            raise SessionGoneError(session_id)
        session = db.get(SpeakingSession, session_id, with_for_update=lock)
        if session is None:
            raise SessionGoneError(session_id)
        return session

    def ping(self) -> bool:
        try:
            with engine_for(self.url).connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    # Lifecycle

    def move(self, session_id: str, event: Event, error_message: str | None = None) -> bool:
        with self._tx() as db:
            return move_status(db, session_id, event, error_message=error_message)

    # The learner's sessions (the API)

    def start_session(
        self,
        external_id: str,
        *,
        duration_secs: float,
        language: str,
        topic: str | None,
        audio_format: str,
        audio_key_for: Callable[[str, str], str],
    ) -> NewSession:
        """A CREATED session of the learner (created on first use), with the storage key
        its audio will have (`audio_key_for(user_id, session_id)`). The key is recorded
        before the bytes are stored, so an upload cut short can be cleaned up."""
        with self._tx() as db:
            user = get_or_create_user(db, external_id)
            session = SpeakingSession(
                user_id=user.id,
                status=SessionStatus.CREATED,
                duration_secs=duration_secs,
                language=language,
                topic=topic,
                audio_format=audio_format,
            )
            db.add(session)
            db.flush()
            session.audio_url = audio_key_for(user.id, session.id)
            return NewSession(session.id, user.id, session.audio_url)

    def session(self, session_id: str) -> SpeakingSession | None:
        with self._tx() as db:
            return db.get(SpeakingSession, session_id)

    def owned_session(self, external_id: str, session_id: str) -> SpeakingSession | None:
        """The learner's session with its transcript and insights; None for anyone else's."""
        with self._tx() as db:
            return owned_session(db, external_id, session_id)

    def owned_sessions(
        self, external_id: str, *, page: int, limit: int
    ) -> tuple[Sequence[SpeakingSession], int]:
        with self._tx() as db:
            user = find_user(db, external_id)
            if user is None:
                return [], 0
            return list_sessions(db, user, page=page, limit=limit)

    def delete_owned_session(self, external_id: str, session_id: str) -> DeletedSession | None:
        """Delete the learner's session (transcript and insights go with it); None when
        it is not theirs; the session leaves the learner's profile in the same transaction.
        The caller deletes the audio."""
        with self._tx() as db:
            session = owned_session(db, external_id, session_id)
            if session is None:
                return None
            key = session.audio_url if session.audio_deleted_at is None else None
            deleted = DeletedSession(session.user_id, key)
            # In the same transaction: the profile never counts a session that is gone.
            update_profile_for_session(db, session.user_id, session_id, removing=True)
            db.delete(session)
            return deleted

    def profile_of(self, external_id: str) -> PatternProfile | None:
        with self._tx() as db:
            user = find_user(db, external_id)
            if user is None:
                return None
            return db.scalar(select(PatternProfile).where(PatternProfile.user_id == user.id))

    # Processing requests

    def request_processing(
        self, session_id: str, receipt: tuple[str, datetime] | None = None
    ) -> Intake:
        """Record that the session should be processed (see pipeline.intake)."""
        with self._tx() as db:
            if receipt is not None and not remember_delivery(db, *receipt):
                return Intake.REPLAYED
            session = db.get(SpeakingSession, session_id, with_for_update=True)
            outcome = intake_of(
                session.status if session else None,
                has_audio=bool(session and session.audio_url),
                requested=bool(session and session.processing_requested_at is not None),
            )
            if outcome is Intake.ACCEPTED:
                db.execute(
                    update(SpeakingSession)
                    .where(SpeakingSession.id == session_id)
                    .values(processing_requested_at=utcnow())
                )
            return outcome

    def record_delivery_failure(self, session_id: str, message: str) -> bool:
        """Fail the session the queue gave up on, unless its request got through after all
        (then a run owns it and the outcome sensor decides)."""
        with self._tx() as db:
            session = db.get(SpeakingSession, session_id, with_for_update=True)
            if session is None or session.processing_requested_at is not None:
                return False
            return move_status(db, session_id, Event.DELIVERY_GAVE_UP, error_message=message)

    # Audio retention

    def leftover_audio(self, session_id: str | None = None) -> list[tuple[str, str]]:
        """(session id, key) of audio that should be gone: sessions that ended (DONE or
        FAILED) whose audio was never recorded as deleted."""
        query = select(SpeakingSession.id, SpeakingSession.audio_url).where(
            SpeakingSession.status.in_(list(FINISHED)),
            SpeakingSession.audio_url.is_not(None),
            SpeakingSession.audio_deleted_at.is_(None),
        )
        if session_id is not None:
            query = query.where(SpeakingSession.id == session_id)
        with self._tx() as db:
            return [(sid, key) for sid, key in db.execute(query.limit(500)).all() if key]

    def live_sessions(self, session_ids: Iterable[str]) -> set[str]:
        """Those of `session_ids` whose session exists and has not ended (so may still
        need its audio)."""
        ids = [sid for sid in session_ids if is_session_id(sid)]
        if not ids:
            return set()
        with self._tx() as db:
            return set(
                db.scalars(
                    select(SpeakingSession.id).where(
                        SpeakingSession.id.in_(ids),
                        SpeakingSession.status.not_in(list(FINISHED)),
                    )
                )
            )

    # Analytics

    def relation_exists(self, schema: str, name: str) -> bool:
        """Whether a table or view `schema.name` exists (the analytics models, say)."""
        with self._tx() as db:
            found = db.execute(
                text("SELECT to_regclass(:qualified)"), {"qualified": f'"{schema}"."{name}"'}
            ).scalar()
            return found is not None

    def requested_sessions(
        self, limit: int = 100, requested_before: datetime | None = None
    ) -> list[RequestedSession]:
        """UPLOADED sessions whose processing was requested (before `requested_before`,
        when given), oldest request first."""
        with self._tx() as db:
            rows = db.execute(
                select(SpeakingSession.id, SpeakingSession.user_id, SpeakingSession.created_at)
                .where(
                    SpeakingSession.status == SessionStatus.UPLOADED,
                    SpeakingSession.processing_requested_at.is_not(None),
                    SpeakingSession.processing_requested_at
                    <= (requested_before or datetime.max.replace(tzinfo=UTC)),
                )
                .order_by(SpeakingSession.processing_requested_at)
                .limit(limit)
            ).all()
            return [RequestedSession(sid, uid, created) for sid, uid, created in rows]

    def abandoned_uploads(self, before: datetime) -> list[tuple[str, str | None]]:
        """(id, audio key) of sessions still CREATED since before `before`."""
        with self._tx() as db:
            rows = db.execute(
                select(SpeakingSession.id, SpeakingSession.audio_url).where(
                    SpeakingSession.status == SessionStatus.CREATED,
                    SpeakingSession.created_at < before,
                )
            ).all()
            return [(session_id, key) for session_id, key in rows]

    def in_flight_sessions(self) -> list[InFlightSession]:
        with self._tx() as db:
            rows = db.execute(
                select(
                    SpeakingSession.id,
                    SpeakingSession.status,
                    SpeakingSession.processing_requested_at,
                    SpeakingSession.updated_at,
                    SpeakingSession.user_id,
                    SpeakingSession.created_at,
                ).where(SpeakingSession.status.in_(list(IN_FLIGHT)))
            ).all()
            return [
                InFlightSession(sid, status, requested is not None, updated, uid, created)
                for sid, status, requested, updated, uid, created in rows
            ]

    def done_sessions(self, *, not_analysed_by: str | None = None) -> list[str]:
        """DONE sessions, oldest first; with `not_analysed_by`, only those whose analysis
        was made by another analyzer version."""
        query = select(SpeakingSession.id).where(SpeakingSession.status == SessionStatus.DONE)
        if not_analysed_by is not None:
            query = query.where(SpeakingSession.analyzer_version.is_distinct_from(not_analysed_by))
        with self._tx() as db:
            return list(db.scalars(query.order_by(SpeakingSession.created_at)))

    # The processing steps

    def begin_transcription(self, session_id: str) -> TranscriptionJob:
        with self._tx() as db:
            session = self._locked(db, session_id, lock=False)
            existing = transcript_of(db, session_id)
            move_status(db, session_id, Event.TRANSCRIPTION_STARTED)
            return TranscriptionJob(
                audio_key=session.audio_url,
                language=session.language,
                audio_deleted=session.audio_deleted_at is not None,
                existing=(
                    StoredTranscript(existing.word_count or 0, existing.language)
                    if existing is not None
                    else None
                ),
            )

    def save_transcript(self, session_id: str, result: TranscriptResult) -> None:
        with self._tx() as db:
            self._locked(db, session_id)
            store_transcript(db, session_id, result)

    def mark_audio_deleted(self, session_id: str) -> None:
        """Record that the session's audio is gone (the first deletion's time is kept)."""
        with self._tx() as db:
            db.execute(
                update(SpeakingSession)
                .where(SpeakingSession.id == session_id, SpeakingSession.audio_deleted_at.is_(None))
                .values(audio_deleted_at=utcnow())
            )

    def _transcript(self, db: Session, session_id: str, purpose: str) -> Transcript:
        transcript = transcript_of(db, session_id)
        if transcript is None:
            raise NoTranscriptError(session_id, purpose)
        return transcript

    def begin_analysis(self, session_id: str) -> AnalysisInput:
        """What the analyzer needs; moves the session to ANALYZING."""
        with self._tx() as db:
            session = self._locked(db, session_id, lock=False)
            transcript = self._transcript(db, session_id, "analyse")
            move_status(db, session_id, Event.ANALYSIS_STARTED)
            return AnalysisInput(
                transcript=transcript.text,
                words=[Word.model_validate(w) for w in (transcript.words or [])],
                duration_secs=session.duration_secs,
                recurring_codes=recurring_codes(db, session.user_id, excluding_session=session_id),
            )

    def save_analysis(self, session_id: str, run: AnalyzerRun) -> int:
        with self._tx() as db:
            # Locked, and checked after the lock: deleted meanwhile means nothing is written.
            self._locked(db, session_id)
            return replace_insights(db, session_id, run)

    def timed_transcript(self, session_id: str) -> tuple[str, list[Word], float | None]:
        """The transcript's text, its word timings and the recording's length."""
        with self._tx() as db:
            session = self._locked(db, session_id, lock=False)
            transcript = self._transcript(db, session_id, "measure")
            words = [Word.model_validate(w) for w in (transcript.words or [])]
            return transcript.text, words, session.duration_secs

    def save_fluency(self, session_id: str, metrics: dict[str, Any]) -> None:
        with self._tx() as db:
            self._locked(db, session_id)
            db.execute(
                update(SpeakingSession)
                .where(SpeakingSession.id == session_id)
                .values(fluency=metrics)
            )

    def refresh_profile_of_session(self, session_id: str) -> ProfileSummary:
        with self._tx() as db:
            session = self._locked(db, session_id, lock=False)
            profile = update_profile_for_session(db, session.user_id, session_id)
            return ProfileSummary(
                user_id=session.user_id,
                codes=len(profile.patterns),
                focus_areas=[f["code"] for f in (profile.focus_areas or [])],
            )

    def refresh_profile(self, user_id: str) -> None:
        with self._tx() as db:
            recompute_profile(db, user_id)

    def user_ids(self) -> list[str]:
        with self._tx() as db:
            return all_user_ids(db)

    # Checks

    def stored_for_checks(self, session_id: str) -> StoredForChecks | None:
        with self._tx() as db:
            session = db.get(SpeakingSession, session_id)
            if session is None:
                return None
            text_ = db.scalar(select(Transcript.text).where(Transcript.session_id == session_id))
            rows = db.execute(
                select(InsightRow.code, InsightRow.examples).where(
                    InsightRow.session_id == session_id
                )
            ).all()
            return StoredForChecks(
                transcript=text_,
                audio_key=session.audio_url,
                audio_marked_deleted=session.audio_deleted_at is not None,
                insights=[StoredInsight(code, list(examples or [])) for code, examples in rows],
            )
