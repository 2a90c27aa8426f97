"""Re-analysis of analysed sessions: insights replaced, transcripts reused, profiles recomputed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from speaking_pipeline.analysis.heuristic import HeuristicAnalyzer
from speaking_pipeline.db.engine import session_scope
from speaking_pipeline.db.models import InsightRow, PatternProfile, SessionStatus, Transcript
from tests.fakes.flaky import (
    FlakyAnalyzer,
    RevisedAnalyzer,
    UnusableTranscriber,
    provider_resources,
)
from tests.fault_support import (
    REANALYZE_JOB,
    assert_consistent,
    launch_requested,
    run_job,
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

        # A backfill of `reanalyze_sessions` over four partitions: one run per partition,
        # three of them for one learner and running at the same time.
        revised = RevisedAnalyzer(HeuristicAnalyzer(), version="revised-2")
        resources = provider_resources(transcriber=UnusableTranscriber(), analyzer=revised)
        chosen = [a1, a2, b1, failed]
        with ThreadPoolExecutor(max_workers=len(chosen)) as pool:
            results = list(
                pool.map(
                    lambda sid: run_job(settings, fresh_db_url, sid, resources, job=REANALYZE_JOB),
                    chosen,
                )
            )
        assert all(r.success for r in results)
        assert revised.calls == len(chosen)

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
