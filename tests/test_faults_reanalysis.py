"""Re-analysis of analysed sessions: insights replaced, transcripts reused, profiles recomputed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from speaking_pipeline.analysis.heuristic import HeuristicAnalyzer
from speaking_pipeline.db.engine import session_scope
from speaking_pipeline.db.models import InsightRow, PatternProfile, SessionStatus, Transcript
from tests.fakes.flaky import FlakyAnalyzer, provider_resources
from tests.fault_support import (
    REANALYZE_JOB,
    assert_consistent,
    finish_worker,
    launch_requested,
    start_worker,
    status_of,
)
from tests.support import app_env, client_for, upload


def _insights(db_url: str) -> dict[str, set[tuple[str, str | None]]]:
    """session id -> {(insight id, analyzer version)}"""
    result: dict[str, set[tuple[str, str | None]]] = {}
    with session_scope(db_url) as db:
        for row in db.scalars(select(InsightRow)).all():
            result.setdefault(row.session_id, set()).add((row.id, row.analyzer_version))
    return result


def _transcripts(db_url: str) -> dict[str, tuple[str, str, object]]:
    with session_scope(db_url) as db:
        return {t.session_id: (t.id, t.text, t.created_at) for t in db.scalars(select(Transcript))}


def _profiles(db_url: str) -> dict[str, object]:
    with session_scope(db_url) as db:
        return {p.user_id: p.patterns for p in db.scalars(select(PatternProfile))}


def test_reanalysis_of_analysed_sessions_replaces_insights_and_recomputes_profiles(
    monkeypatch: pytest.MonkeyPatch, fresh_db_url: str, dagster_db_url: str, tmp_path: Path
) -> None:
    with app_env(
        monkeypatch, app_db_url=fresh_db_url, dagster_db_url=dagster_db_url, data_dir=tmp_path
    ) as settings:
        client = client_for(settings)
        a1, a2, a3 = (str(upload(client, settings, "learner-a")["id"]) for _ in range(3))
        b1 = str(upload(client, settings, "learner-b")["id"])
        assert len(launch_requested(settings, fresh_db_url, provider_resources())) == 4
        # One more session of learner A whose analysis failed for good.
        failed = str(upload(client, settings, "learner-a")["id"])
        broken = FlakyAnalyzer(
            HeuristicAnalyzer(), failures=None, transient=False, message="model retired"
        )
        launch_requested(settings, fresh_db_url, provider_resources(analyzer=broken))
        assert status_of(fresh_db_url, failed)[0] is SessionStatus.FAILED

        before_insights = _insights(fresh_db_url)
        before_transcripts = _transcripts(fresh_db_url)
        before_profiles = _profiles(fresh_db_url)
        assert set(before_insights) == {a1, a2, a3, b1}

        # A backfill of `reanalyze_sessions` over four partitions, one run per partition,
        # in three run workers at once: three of the runs are for one learner.
        chosen = [a1, a2, b1, failed]
        workers = [
            start_worker(
                fresh_db_url,
                [(sid, {}) for sid in batch],
                job=REANALYZE_JOB,
                transcriber="unusable",
                analyzer="revised:revised-2",
            )
            for batch in ([a1, b1], [a2], [failed])
        ]
        outcomes: dict[str, bool] = {}
        for worker in workers:
            outcomes.update(finish_worker(worker))
        assert outcomes == dict.fromkeys(chosen, True)

    after = _insights(fresh_db_url)
    for sid in chosen:
        ids = {i for i, _ in after[sid]}
        assert {v for _, v in after[sid]} == {"revised-2"}
        assert not ids & {i for i, _ in before_insights.get(sid, set())}, "insights not replaced"
        if sid in before_insights:
            assert len(after[sid]) == max(1, len(before_insights[sid]) - 1)
    assert after[a3] == before_insights[a3]  # not selected, not touched
    # Transcripts are reused as they were: same rows, never transcribed again.
    assert _transcripts(fresh_db_url) == before_transcripts
    # The session whose analysis had failed is now analysed.
    assert status_of(fresh_db_url, failed) == (SessionStatus.DONE, None)
    for sid in (a1, a2, a3, b1):
        assert status_of(fresh_db_url, sid) == (SessionStatus.DONE, None)
    assert _profiles(fresh_db_url) != before_profiles
    assert_consistent(fresh_db_url)
