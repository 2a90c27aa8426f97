"""The per-session profile update: equal to the full recomputation after any sequence of
analyses, re-analyses, retries and deletions, with a bounded document."""

from __future__ import annotations

import json
import random
from typing import Any

from sqlalchemy import select

from speaking_pipeline.db.engine import session_scope
from speaking_pipeline.db.models import PatternProfile, ProfileSession, User
from speaking_pipeline.db.repository import Repository, recompute_profile
from speaking_pipeline.domain.profile import RECENT_SESSIONS
from speaking_pipeline.domain.schema import Analysis, AnalyzerRun, Insight
from speaking_pipeline.domain.taxonomy import TAXONOMY
from tests.support import new_session

ALL_CODES = sorted(TAXONOMY)


def _run(rng: random.Random) -> AnalyzerRun:
    codes = rng.sample(ALL_CODES[:6], rng.randint(0, 4))
    insights = [
        Insight(
            code=code,
            category=code.split(".")[0],
            pattern=f"{code} as named {rng.randint(0, 2)}",
            detail="d",
            frequency=rng.randint(1, 7),
            severity=rng.choice(["high", "medium", "low"]),
            examples=["one example", "another example"],
            suggestion="s",
        )
        for code in codes
    ]
    analysis = Analysis(insights=insights, focusNext="f", summary="s")
    return AnalyzerRun(analysis=analysis, analyzer_version="test")


def _stored(url: str, user_id: str) -> tuple[Any, Any, int | None]:
    with session_scope(url) as db:
        p = db.scalar(select(PatternProfile).where(PatternProfile.user_id == user_id))
        assert p is not None
        return (
            json.loads(json.dumps(p.patterns)),
            json.loads(json.dumps(p.focus_areas)),
            p.analysed_sessions,
        )


def _recomputed(url: str, user_id: str) -> tuple[Any, Any, int | None]:
    """Recompute in a transaction that is rolled back, so the stored profile is untouched."""
    with session_scope(url) as db:
        p = recompute_profile(db, user_id)
        out = (
            json.loads(json.dumps(p.patterns)),
            json.loads(json.dumps(p.focus_areas)),
            p.analysed_sessions,
        )
        db.rollback()
    return out


def test_incremental_updates_equal_the_recomputation(app_db_url: str) -> None:
    repo = Repository(app_db_url)
    rng = random.Random(7)
    first = new_session(repo, "incremental")
    with session_scope(app_db_url) as db:
        user_id = db.scalars(select(User.id).where(User.id == first.user_id)).one()
        external = db.scalars(select(User.external_id).where(User.id == user_id)).one()
    sessions = [first.id]
    for _ in range(RECENT_SESSIONS + 5):
        s = repo.start_session(
            external,
            duration_secs=rng.choice([None, 30.0, 90.0]),
            language="en",
            topic=None,
            audio_format="webm",
            audio_key_for=lambda u, s: f"sessions/{u}/{s}/audio.webm",
        )
        sessions.append(s.id)

    for steps, sid in enumerate(sessions):
        repo.save_analysis(sid, _run(rng))
        repo.refresh_profile_of_session(sid)
        assert _stored(app_db_url, user_id) == _recomputed(app_db_url, user_id), steps
        # A retried update changes nothing.
        before = _stored(app_db_url, user_id)
        repo.refresh_profile_of_session(sid)
        assert _stored(app_db_url, user_id) == before

    for _ in range(10):
        sid = rng.choice(sessions)
        repo.save_analysis(sid, _run(rng))  # a re-analysis replaces the insights
        repo.refresh_profile_of_session(sid)
        assert _stored(app_db_url, user_id) == _recomputed(app_db_url, user_id)

    for sid in rng.sample(sessions, 4):
        assert repo.delete_owned_session(external, sid) is not None
        sessions.remove(sid)
        assert _stored(app_db_url, user_id) == _recomputed(app_db_url, user_id)

    patterns, _, analysed = _stored(app_db_url, user_id)
    assert analysed == len(sessions)
    # Bounded: the document keeps the recent window; the history is in rows.
    assert all(len(p["history"]) == RECENT_SESSIONS for p in patterns.values())
    with session_scope(app_db_url) as db:
        rows = db.scalars(select(ProfileSession).where(ProfileSession.user_id == user_id)).all()
    assert {r.session_id for r in rows} == set(sessions)


def test_a_profile_from_before_the_rows_is_rebuilt_on_its_next_update(app_db_url: str) -> None:
    repo = Repository(app_db_url)
    rng = random.Random(3)
    s = new_session(repo, "legacy")
    repo.save_analysis(s.id, _run(rng))
    repo.refresh_profile_of_session(s.id)
    with session_scope(app_db_url) as db:
        # What migration 0003 leaves for an existing profile: no rows, no count.
        db.execute(ProfileSession.__table__.delete().where(ProfileSession.user_id == s.user_id))
        p = db.scalar(select(PatternProfile).where(PatternProfile.user_id == s.user_id))
        assert p is not None
        p.analysed_sessions = None
    repo.refresh_profile_of_session(s.id)
    assert _stored(app_db_url, s.user_id) == _recomputed(app_db_url, s.user_id)
    assert _stored(app_db_url, s.user_id)[2] == 1
