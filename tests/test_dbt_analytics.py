"""The dbt analytics models, built and tested through Dagster on PostgreSQL, match hand counts."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from dagster import AssetKey, RunConfig, materialize
from psycopg.rows import dict_row

from speaking_pipeline.db.engine import engine_for, session_scope
from speaking_pipeline.db.migrate import upgrade
from speaking_pipeline.db.models import (
    InsightRow,
    PatternProfile,
    SessionStatus,
    SpeakingSession,
    Transcript,
    User,
)
from speaking_pipeline.db.urls import with_database
from speaking_pipeline.defs.analytics import (
    AnalyticsRunConfig,
    dbt_analytics_assets,
    dbt_connection_env,
    dbt_resource,
)

OLD, CURRENT = "heuristic-1", "heuristic-2"
WEEK_A, WEEK_B = "2025-03-03", "2025-03-10"

ARTICLE = ("grammar.article_omission", "grammar")
PAST = ("grammar.past_tense", "grammar")
FILLER = ("vocabulary.filler_words", "vocabulary")


@dataclass(frozen=True)
class FixtureSession:
    key: str
    learner: str
    status: SessionStatus
    uploaded: str  # UTC, "YYYY-MM-DD HH:MM"
    secs_to_update: int = 60
    duration_secs: float | None = 60.0
    version: str | None = None
    insights: tuple[tuple[tuple[str, str], int], ...] = ()
    error: str | None = None


# Weeks (Monday starts): A = 2025-03-03, B = 2025-03-10. The hand counts in the tests below
# are worked out from exactly these rows.
SESSIONS = (
    FixtureSession("a1", "alice", SessionStatus.DONE, "2025-03-03 10:00", 60, 120, OLD,
                   ((ARTICLE, 4), (FILLER, 6))),
    FixtureSession("a2", "alice", SessionStatus.DONE, "2025-03-05 10:00", 120, 60, CURRENT,
                   ((ARTICLE, 2),)),
    FixtureSession("a3", "alice", SessionStatus.DONE, "2025-03-11 09:00", 90, 120, CURRENT,
                   ((ARTICLE, 1), (FILLER, 3))),
    FixtureSession("b1", "bob", SessionStatus.DONE, "2025-03-04 12:00", 300, 90, OLD,
                   ((FILLER, 5), (PAST, 2))),
    FixtureSession("b2", "bob", SessionStatus.FAILED, "2025-03-04 13:00",
                   error="Transcription failed: audio could not be decoded"),
    FixtureSession("b3", "bob", SessionStatus.DONE, "2025-03-12 08:00", 100, 60, CURRENT,
                   ((PAST, 3),)),
    FixtureSession("c1", "carol", SessionStatus.FAILED, "2025-03-12 09:00",
                   error="Analysis failed: provider timeout\nattempt 1 of 3"),
    FixtureSession("c2", "carol", SessionStatus.FAILED, "2025-03-12 10:00",
                   error="Analysis failed: provider timeout\nattempt 3 of 3"),
    FixtureSession("c3", "carol", SessionStatus.ANALYZING, "2025-03-12 11:00"),
    # Clean speech: analysed, no insights; c5 by the old analyzer.
    FixtureSession("c4", "carol", SessionStatus.DONE, "2025-03-13 11:00", 30, 60, CURRENT),
    FixtureSession("c5", "carol", SessionStatus.DONE, "2025-03-13 12:00", 45, 60, OLD),
    FixtureSession("d1", "dave", SessionStatus.DONE, "2025-03-13 14:00", 150, None, CURRENT,
                   ((ARTICLE, 2),)),
)  # fmt: skip


def _at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def _insert_fixture(url: str) -> dict[str, str]:
    """Writes the fixture rows; returns fixture key -> database id (learners and sessions)."""
    ids: dict[str, str] = {}
    with session_scope(url) as db:
        for name in ("alice", "bob", "carol", "dave"):
            user = User(external_id=f"ext-{name}", email=f"{name}@example.test")
            db.add(user)
            db.flush()
            ids[name] = user.id
        for spec in SESSIONS:
            uploaded = _at(spec.uploaded)
            finished = uploaded + timedelta(seconds=spec.secs_to_update)
            row = SpeakingSession(
                user_id=ids[spec.learner],
                status=spec.status,
                duration_secs=spec.duration_secs,
                analyzer_version=spec.version,
                error_message=spec.error,
                processing_requested_at=uploaded,
                created_at=uploaded,
                updated_at=finished,
            )
            db.add(row)
            db.flush()
            ids[spec.key] = row.id
            if spec.status is SessionStatus.DONE:
                # One transcript without a stored word count: staging counts the words.
                words = None if spec.key == "a1" else 40
                db.add(Transcript(session_id=row.id, text="one two three", word_count=words))
            for (code, category), frequency in spec.insights:
                db.add(
                    InsightRow(
                        session_id=row.id,
                        code=code,
                        category=category,
                        pattern=code.split(".", 1)[1].replace("_", " "),
                        detail="d",
                        frequency=frequency,
                        severity="medium",
                        examples=["an example", "another example"],
                        suggestion="s",
                        analyzer_version=spec.version,
                        created_at=finished,
                    )
                )
        db.add(
            PatternProfile(
                user_id=ids["alice"],
                patterns={
                    ARTICLE[0]: {"count": 7, "sessions": 3},
                    FILLER[0]: {"count": 9, "sessions": 2},
                },
                focus_areas=[ARTICLE[0]],
            )
        )
    return ids


@dataclass(frozen=True)
class Built:
    url: str
    ids: dict[str, str]
    materialized: set[AssetKey]
    checks: dict[str, bool]


@pytest.fixture(scope="module")
def built(pg_server_url: str) -> Iterator[Built]:
    """One database with the fixture, and one Dagster materialization of all dbt assets."""
    # A database of this module's own (like `fresh_db_url`, but built once): one dbt build
    # serves every test here.
    name = f"sp_dbt_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(with_database(pg_server_url, "postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(pg_server_url, name)
    upgrade(url)
    try:
        ids = _insert_fixture(url)
        result = materialize(
            [dbt_analytics_assets],
            resources={"dbt": dbt_resource(url)},
            run_config=RunConfig(
                ops={"dbt_analytics": AnalyticsRunConfig(current_analyzer_version=CURRENT)}
            ),
        )
        assert result.success
        materialized = {
            m.asset_key for m in result.asset_materializations_for_node("dbt_analytics")
        }
        checks = {
            f"{e.asset_key.to_user_string()}:{e.check_name}": e.passed
            for e in result.get_asset_check_evaluations()
        }
        yield Built(url, ids, materialized, checks)
    finally:
        engine_for.cache_clear()
        with psycopg.connect(with_database(pg_server_url, "postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _rows(built: Built, sql: str) -> list[dict[str, Any]]:
    with psycopg.connect(built.url, row_factory=dict_row) as conn:
        return conn.execute(sql).fetchall()


def _reverse(built: Built) -> dict[str, str]:
    return {v: k for k, v in built.ids.items()}


def test_every_model_builds_and_every_dbt_test_passes(built: Built) -> None:
    assert built.materialized == set(dbt_analytics_assets.keys)
    assert len(built.materialized) == 14
    assert set(built.checks) == {
        f"{k.asset_key.to_user_string()}:{k.name}" for k in dbt_analytics_assets.check_keys
    }
    failed = sorted(name for name, passed in built.checks.items() if not passed)
    assert failed == []
    # Our own tests ran too, not only dbt's built-in ones.
    assert any("assert_prevalence_counts_match_insights" in name for name in built.checks)
    assert any(":is_share_" in name for name in built.checks)


def test_pattern_prevalence_matches_hand_counts(built: Built) -> None:
    rows = _rows(
        built,
        "select week_start::text as week, code, learners_showing, learners_active,"
        " learner_share, sessions_showing, sessions_analysed, session_share, total_frequency"
        " from analytics.pattern_prevalence_weekly",
    )
    got = {
        (r["week"], r["code"]): (
            r["learners_showing"],
            r["learners_active"],
            r["learner_share"],
            r["sessions_showing"],
            r["sessions_analysed"],
            r["session_share"],
            r["total_frequency"],
        )
        for r in rows
    }
    d = Decimal
    assert got == {
        # Week A: analysed a1, a2, b1 (b2 failed) -> 3 sessions, learners alice and bob.
        (WEEK_A, ARTICLE[0]): (1, 2, d("0.5000"), 2, 3, d("0.6667"), 6),
        (WEEK_A, FILLER[0]): (2, 2, d("1.0000"), 2, 3, d("0.6667"), 11),
        (WEEK_A, PAST[0]): (1, 2, d("0.5000"), 1, 3, d("0.3333"), 2),
        # Week B: analysed a3, b3, c4, c5, d1 -> 5 sessions, 4 learners (c3 still running).
        (WEEK_B, ARTICLE[0]): (2, 4, d("0.5000"), 2, 5, d("0.4000"), 3),
        (WEEK_B, FILLER[0]): (1, 4, d("0.2500"), 1, 5, d("0.2000"), 3),
        (WEEK_B, PAST[0]): (1, 4, d("0.2500"), 1, 5, d("0.2000"), 3),
    }


def test_learner_progress_matches_hand_counts(built: Built) -> None:
    names = _reverse(built)
    rows = _rows(
        built,
        "select learner_id, code, sessions_analysed, sessions_showing, total_frequency,"
        " avg_frequency_per_session, first_frequency, latest_frequency, frequency_change, trend"
        " from analytics.learner_progress",
    )
    got = {
        (names[r["learner_id"]], r["code"]): (
            r["sessions_analysed"],
            r["sessions_showing"],
            r["total_frequency"],
            r["avg_frequency_per_session"],
            r["first_frequency"],
            r["latest_frequency"],
            r["frequency_change"],
            r["trend"],
        )
        for r in rows
    }
    d = Decimal
    assert got == {
        ("alice", ARTICLE[0]): (3, 3, 7, d("2.333"), 4, 1, -3, "improving"),
        ("alice", FILLER[0]): (3, 2, 9, d("3.000"), 6, 3, -3, "improving"),
        # bob's failed session b2 is not one of his analysed sessions.
        ("bob", FILLER[0]): (2, 1, 5, d("2.500"), 5, 0, -5, "improving"),
        ("bob", PAST[0]): (2, 2, 5, d("2.500"), 2, 3, 1, "worsening"),
        ("dave", ARTICLE[0]): (1, 1, 2, d("2.000"), 2, 2, 0, "single_session"),
    }


def test_rate_over_time_fills_sessions_without_the_code(built: Built) -> None:
    rows = _rows(
        built,
        f"select session_number, frequency, shown, frequency_per_minute, running_avg_frequency"
        f" from analytics.learner_code_sessions"
        f" where learner_id = '{built.ids['alice']}' and code = '{FILLER[0]}'"
        f" order by session_number",
    )
    d = Decimal
    assert [tuple(r.values()) for r in rows] == [
        (1, 6, True, d("3.000"), d("6.000")),  # 6 in 120 s
        (2, 0, False, d("0.000"), d("3.000")),
        (3, 3, True, d("1.500"), d("3.000")),
    ]
    # dave's session has no recorded duration, so no per-minute rate.
    dave = _rows(
        built,
        f"select frequency_per_minute from analytics.learner_code_sessions"
        f" where learner_id = '{built.ids['dave']}'",
    )
    assert dave == [{"frequency_per_minute": None}]


def test_pipeline_health_matches_hand_counts(built: Built) -> None:
    status = _rows(
        built, "select day::text as day, status, sessions from analytics.pipeline_status_daily"
    )
    assert {(r["day"], r["status"]): r["sessions"] for r in status} == {
        ("2025-03-03", "DONE"): 1,
        ("2025-03-04", "DONE"): 1,
        ("2025-03-04", "FAILED"): 1,
        ("2025-03-05", "DONE"): 1,
        ("2025-03-11", "DONE"): 1,
        ("2025-03-12", "DONE"): 1,
        ("2025-03-12", "FAILED"): 2,
        ("2025-03-12", "ANALYZING"): 1,
        ("2025-03-13", "DONE"): 3,
    }
    health = {
        r["day"]: r
        for r in _rows(
            built,
            "select day::text as day, sessions_uploaded, sessions_done, sessions_failed,"
            " sessions_in_progress, failure_rate, p50_secs_upload_to_done,"
            " p95_secs_upload_to_done from analytics.pipeline_health_daily",
        )
    }
    busy = health["2025-03-12"]
    assert (
        busy["sessions_uploaded"],
        busy["sessions_done"],
        busy["sessions_failed"],
        busy["sessions_in_progress"],
    ) == (4, 1, 2, 1)
    assert busy["failure_rate"] == Decimal("0.6667")  # 2 failed of 3 finished
    assert health["2025-03-04"]["failure_rate"] == Decimal("0.5000")
    assert health["2025-03-04"]["p50_secs_upload_to_done"] == Decimal("300.0")
    # 2025-03-13 took 30, 45 and 150 s: median 45, p95 interpolated 45 + 0.9 * 105.
    last = health["2025-03-13"]
    assert last["failure_rate"] == Decimal("0.0000")
    assert last["p50_secs_upload_to_done"] == Decimal("45.0")
    assert last["p95_secs_upload_to_done"] == Decimal("139.5")

    errors = _rows(
        built,
        "select error_message, sessions, share_of_failures, error_rank"
        " from analytics.pipeline_errors order by error_rank",
    )
    assert [tuple(r.values()) for r in errors] == [
        # Both timeouts share a first line, so they are one reason.
        ("Analysis failed: provider timeout", 2, Decimal("0.6667"), 1),
        ("Transcription failed: audio could not be decoded", 1, Decimal("0.3333"), 2),
    ]


def test_reanalysis_audit_lists_sessions_from_older_analyzer(built: Built) -> None:
    names = _reverse(built)
    rows = _rows(
        built,
        "select session_id, reason, insight_analyzer_versions, outdated_insights,"
        " current_analyzer_version from analytics.reanalysis_audit",
    )
    got = {names[r["session_id"]]: r for r in rows}
    assert set(got) == {"a1", "b1", "c5"}
    assert got["a1"]["reason"] == "insights_from_other_version"
    assert got["a1"]["insight_analyzer_versions"] == OLD
    assert got["a1"]["outdated_insights"] == 2
    assert got["c5"]["reason"] == "analysed_by_other_version"
    assert {r["current_analyzer_version"] for r in rows} == {CURRENT}

    versions = _rows(
        built,
        "select analyzer_version, sessions, insights, is_current from analytics.analyzer_versions",
    )
    assert {tuple(r.values()) for r in versions} == {(OLD, 2, 4, False), (CURRENT, 4, 5, True)}


def test_staging_hides_personal_data_and_text(built: Built) -> None:
    learners = _rows(built, "select * from analytics.stg_learners")
    assert {r["external_id"] for r in learners} == {"ext-alice", "ext-bob", "ext-carol", "ext-dave"}
    assert "email" not in learners[0]
    transcripts = _rows(built, "select * from analytics.stg_transcripts")
    assert "text" not in transcripts[0]
    assert {r["word_count"] for r in transcripts} == {3, 40}
    profile = _rows(
        built, "select code, frequency_total, sessions_showing from analytics.stg_profile_patterns"
    )
    assert {tuple(r.values()) for r in profile} == {(ARTICLE[0], 7, 3), (FILLER[0], 9, 2)}


def test_a_broken_row_fails_its_dbt_test_in_dagster(built: Built) -> None:
    """A row breaking a dbt test fails the run and shows as a failed asset check."""
    with session_scope(built.url) as db:
        bad = InsightRow(
            session_id=built.ids["a3"],
            code="grammar.preposition",
            category="grammar",
            pattern="prepositions",
            detail="d",
            frequency=1,
            severity="urgent",
            examples=["x", "y"],
            suggestion="s",
            analyzer_version=CURRENT,
        )
        db.add(bad)
    try:
        result = materialize(
            [dbt_analytics_assets],
            # stg_insights and the models its relationships tests look up.
            selection=[
                AssetKey(["analytics", name])
                for name in ("stg_insights", "stg_sessions", "stg_learners")
            ],
            # Its own schema, so the models the other tests read stay as built.
            resources={"dbt": dbt_resource(built.url, schema="analytics_broken")},
            run_config=RunConfig(
                ops={"dbt_analytics": AnalyticsRunConfig(current_analyzer_version=CURRENT)}
            ),
            raise_on_error=False,
        )
    finally:
        with session_scope(built.url) as db:
            db.delete(db.get(InsightRow, bad.id))
    assert not result.success
    failed = {e.check_name for e in result.get_asset_check_evaluations() if not e.passed}
    assert failed == {"accepted_values_stg_insights_severity__high__medium__low"}


def test_without_a_configured_version_the_latest_analysis_is_current(
    built: Built, tmp_path: Path
) -> None:
    schema = "analytics_fallback"
    invocation = dbt_resource(built.url, schema=schema).cli(
        ["run", "--select", "+reanalysis_audit"], target_path=tmp_path
    )
    invocation.wait()
    names = _reverse(built)
    rows = _rows(
        built, f"select session_id, current_analyzer_version from {schema}.reanalysis_audit"
    )
    # The latest analysis is dave's d1, by the current version.
    assert {names[r["session_id"]] for r in rows} == {"a1", "b1", "c5"}
    assert {r["current_analyzer_version"] for r in rows} == {CURRENT}


def test_connection_env_from_tcp_and_socket_urls() -> None:
    tcp = dbt_connection_env(
        "postgresql://an%40lyst:p%40ss%2Fword@db.example:6543/speaking?sslmode=require"
    )
    assert tcp == {
        "SP_DBT_HOST": "db.example",
        "SP_DBT_PORT": "6543",
        "SP_DBT_USER": "an@lyst",
        "DBT_ENV_SECRET_SP_DBT_PASSWORD": "p@ss/word",
        "SP_DBT_DBNAME": "speaking",
        "SP_DBT_SCHEMA": "analytics",
        "SP_DBT_SSLMODE": "require",
    }
    socket = dbt_connection_env(
        "postgresql://postgres:@/speaking?host=%2Frun%2Fpg%20sock", schema="reports"
    )
    assert socket["SP_DBT_HOST"] == "/run/pg sock"
    assert socket["SP_DBT_PORT"] == "5432"
    assert socket["DBT_ENV_SECRET_SP_DBT_PASSWORD"] == ""
    assert (socket["SP_DBT_USER"], socket["SP_DBT_DBNAME"]) == ("postgres", "speaking")
    assert socket["SP_DBT_SCHEMA"] == "reports"
    assert "SP_DBT_SSLMODE" not in socket
    with pytest.raises(ValueError, match="PostgreSQL"):
        dbt_connection_env("mysql://u:p@h/db")


def test_analysts_dbt_cli_queries_the_app_database(
    built: Built, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from speaking_pipeline.config import get_settings
    from speaking_pipeline.defs.analytics import dbt_cli

    monkeypatch.setenv("DATABASE_URL", built.url)
    get_settings.cache_clear()
    try:
        code = dbt_cli.main(
            ["show", "--inline", "select count(*) as failed from {{ ref('pipeline_errors') }}"]
        )
    finally:
        get_settings.cache_clear()
    assert code == 0
    out = capfd.readouterr().out
    # Two distinct failure reasons in the fixture.
    assert re.search(r"\| failed \|\n\| -+ \|\n\|\s+2 \|", out), out
