"""Asset checks on every session: the rules themselves, and their per-partition results in
the processing and re-analysis runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import AssetCheckKey, AssetSelection, Definitions, define_asset_job
from sqlalchemy import update

from speaking_pipeline.db.engine import session_scope
from speaking_pipeline.db.models import InsightRow, SpeakingSession, Transcript
from speaking_pipeline.defs.resources import DatabaseResource, audio_store_resource
from speaking_pipeline.domain import checks as rules
from tests.fakes.flaky import provider_resources
from tests.fault_support import REANALYZE_JOB, instance_of, launch_requested, run_job
from tests.support import SPEECH_DIR, app_env, client_for, upload

TRANSCRIPT_CHECKS = {"transcript_not_empty", "audio_deleted"}
INSIGHTS_CHECKS = {"at_most_five_insights", "examples_are_verbatim", "codes_in_taxonomy"}
TRANSCRIPT = "Um, yesterday I go to the market, and, uh, we buy many vegetables."


def test_transcript_rules() -> None:
    assert rules.transcript_not_empty(TRANSCRIPT).passed
    assert not rules.transcript_not_empty("  \n ").passed
    assert not rules.transcript_not_empty(None).passed

    assert rules.audio_deleted(had_audio=True, marked_deleted=True, still_stored=False).passed
    assert rules.audio_deleted(had_audio=False, marked_deleted=False, still_stored=None).passed
    assert not rules.audio_deleted(had_audio=True, marked_deleted=True, still_stored=True).passed
    assert not rules.audio_deleted(had_audio=True, marked_deleted=False, still_stored=False).passed


def test_insight_rules() -> None:
    quoted = rules.StoredInsight(
        "grammar.past_tense", ["yesterday I  GO to the market", "we buy many"]
    )
    invented = rules.StoredInsight("vocabulary.filler_words", ["um", "you know what I mean"])
    assert rules.at_most_five_insights(5).passed
    assert not rules.at_most_five_insights(6).passed

    assert rules.examples_are_verbatim([quoted], TRANSCRIPT).passed
    outcome = rules.examples_are_verbatim([quoted, invented], TRANSCRIPT)
    assert not outcome.passed
    assert outcome.metadata["not_verbatim_examples"] == ["you know what I mean"]
    assert not rules.examples_are_verbatim([quoted], None).passed

    assert rules.codes_in_taxonomy(["grammar.past_tense", "other.tongue_twisters"]).passed
    outcome = rules.codes_in_taxonomy(["grammar.past_tense", "grammar.made_up", "Other.x"])
    assert not outcome.passed
    assert outcome.metadata["unknown_codes"] == ["Other.x", "grammar.made_up"]


def _evaluations(result: object) -> dict[str, tuple[bool, str | None]]:
    """check name -> (passed, partition) of a run's check evaluations."""
    return {
        e.check_name: (e.passed, e.partition)
        for e in result.get_asset_check_evaluations()  # type: ignore[attr-defined]
    }


def test_checks_run_per_session_in_processing_and_reanalysis_and_catch_bad_data(
    monkeypatch: pytest.MonkeyPatch, fresh_db_url: str, dagster_db_url: str, tmp_path: Path
) -> None:
    # Imported here: tests.fault_support shortens the provider retries before the assets
    # module is loaded, and this module is collected first.
    from speaking_pipeline.defs.sessions.assets import (
        insights,
        pattern_profile,
        session_audio,
        transcript,
    )
    from speaking_pipeline.defs.sessions.checks import session_checks
    from speaking_pipeline.defs.sessions.partitions import sessions_partitions

    data = tmp_path / "data"
    with app_env(
        monkeypatch, app_db_url=fresh_db_url, dagster_db_url=dagster_db_url, data_dir=data
    ) as settings:
        client = client_for(settings)
        session_id = str(upload(client, settings, "learner-checks")["id"])
        [processed] = launch_requested(settings, fresh_db_url, provider_resources())
        assert processed.success
        assert _evaluations(processed) == {
            name: (True, session_id) for name in TRANSCRIPT_CHECKS | INSIGHTS_CHECKS
        }

        # Re-analysis materialises insights only: their checks run, the transcript's do not.
        reanalysed = run_job(
            settings, fresh_db_url, session_id, provider_resources(), job=REANALYZE_JOB
        )
        assert _evaluations(reanalysed) == {name: (True, session_id) for name in INSIGHTS_CHECKS}

        # Damage every rule behind the pipeline's back, then run the checks alone.
        with session_scope(fresh_db_url) as db:
            session = db.get(SpeakingSession, session_id)
            assert session is not None and session.audio_url
            audio_key = session.audio_url
            db.execute(
                update(Transcript).where(Transcript.session_id == session_id).values(text=" ")
            )
            for n in range(6):
                db.add(
                    InsightRow(
                        session_id=session_id,
                        code="grammar.made_up" if n == 0 else "grammar.past_tense",
                        category="grammar",
                        pattern="Invented",
                        detail="not from the transcript",
                        frequency=2,
                        severity="high",
                        examples=["words nobody said", "more of them"],
                        suggestion="none",
                    )
                )
        restored = data / "audio" / audio_key
        restored.parent.mkdir(parents=True, exist_ok=True)
        restored.write_bytes((SPEECH_DIR / "speech.webm").read_bytes())

        checks_job = define_asset_job(
            "session_checks_only",
            selection=AssetSelection.checks_for_assets(transcript, insights),
            partitions_def=sessions_partitions,
        )
        only_one = define_asset_job(
            "one_session_check",
            selection=AssetSelection.checks(AssetCheckKey(insights.key, "codes_in_taxonomy")),
            partitions_def=sessions_partitions,
        )
        checks_defs = Definitions(
            assets=[session_audio, transcript, insights, pattern_profile],
            asset_checks=session_checks,
            jobs=[checks_job, only_one],
            resources={
                "database": DatabaseResource(url=fresh_db_url),
                "audio_store": audio_store_resource,
                **provider_resources(),
            },
        )
        instance = instance_of(settings)
        # A checks-only job has no asset to take the partitions from, so execute_in_process
        # cannot validate a partition_key: the partition goes in as the run tag instead.
        partition = {"dagster/partition": session_id}
        damaged = checks_defs.resolve_job_def("session_checks_only").execute_in_process(
            tags=partition, instance=instance
        )
        assert _evaluations(damaged) == {
            name: (False, session_id) for name in TRANSCRIPT_CHECKS | INSIGHTS_CHECKS
        }
        # One check can run alone (the checks of an asset share an op that can subset).
        single = checks_defs.resolve_job_def("one_session_check").execute_in_process(
            tags=partition, instance=instance
        )
        assert _evaluations(single) == {"codes_in_taxonomy": (False, session_id)}
