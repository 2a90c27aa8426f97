"""Provider faults inside a run: transient ones are retried, permanent ones fail at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from speaking_pipeline.analysis.heuristic import HeuristicAnalyzer
from speaking_pipeline.db.models import SessionStatus
from speaking_pipeline.domain.failures import (
    FAILURE_REASON_TAG,
    FAILURE_STEP_TAG,
    Reason,
    learner_message,
)
from tests.fakes.flaky import FastTranscriber, FlakyAnalyzer, FlakyTranscriber, provider_resources
from tests.fault_support import (
    assert_consistent,
    insight_sets,
    instance_of,
    launch_requested,
    status_of,
)
from tests.support import app_env, client_for, upload


def test_provider_failing_twice_then_succeeding_ends_done_with_one_insight_set(
    monkeypatch: pytest.MonkeyPatch, fresh_db_url: str, dagster_db_url: str, tmp_path: Path
) -> None:
    with app_env(
        monkeypatch, app_db_url=fresh_db_url, dagster_db_url=dagster_db_url, data_dir=tmp_path
    ) as settings:
        client = client_for(settings)
        session_id = str(upload(client, settings, "learner-flaky")["id"])
        analyzer = FlakyAnalyzer(
            HeuristicAnalyzer(), failures=2, transient=True, message="model overloaded (529)"
        )
        results = launch_requested(settings, fresh_db_url, provider_resources(analyzer=analyzer))

    assert len(results) == 1 and results[0].success
    assert analyzer.calls == 3
    assert status_of(fresh_db_url, session_id) == (SessionStatus.DONE, None)
    assert insight_sets(fresh_db_url)[session_id] >= 1
    assert_consistent(fresh_db_url)


@pytest.mark.parametrize("step", ["transcript", "insights"])
def test_permanent_provider_failure_fails_the_session_at_once(
    step: str,
    monkeypatch: pytest.MonkeyPatch,
    fresh_db_url: str,
    dagster_db_url: str,
    tmp_path: Path,
) -> None:
    with app_env(
        monkeypatch, app_db_url=fresh_db_url, dagster_db_url=dagster_db_url, data_dir=tmp_path
    ) as settings:
        client = client_for(settings)
        session_id = str(upload(client, settings, "learner-perm")["id"])
        if step == "transcript":
            provider = FlakyTranscriber(
                FastTranscriber(), failures=None, transient=False, message="unsupported codec xyz"
            )
            resources = provider_resources(transcriber=provider)
            reason = Reason.UNREADABLE_AUDIO
        else:
            provider = FlakyAnalyzer(  # type: ignore[assignment]
                HeuristicAnalyzer(), failures=None, transient=False, message="API key rejected"
            )
            resources = provider_resources(analyzer=provider)  # type: ignore[arg-type]
            reason = Reason.ANALYSIS_FAILED
        results = launch_requested(settings, fresh_db_url, resources)

    assert len(results) == 1 and not results[0].success
    assert provider.calls == 1  # no retry of a permanent error
    status, message = status_of(fresh_db_url, session_id)
    assert status is SessionStatus.FAILED
    # The learner reads the fixed message of the reason; operators find it on the run.
    assert message == learner_message(reason)
    run = instance_of(settings).get_run_by_id(results[0].run_id)
    assert run is not None
    assert run.tags[FAILURE_REASON_TAG] == reason.value
    assert run.tags[FAILURE_STEP_TAG] == step
    assert session_id not in insight_sets(fresh_db_url)
    assert not list((tmp_path / "audio").rglob("audio.*"))  # FAILED: the audio is gone
    assert_consistent(fresh_db_url)


def test_transient_failure_that_never_clears_fails_after_the_last_retry(
    monkeypatch: pytest.MonkeyPatch, fresh_db_url: str, dagster_db_url: str, tmp_path: Path
) -> None:
    with app_env(
        monkeypatch, app_db_url=fresh_db_url, dagster_db_url=dagster_db_url, data_dir=tmp_path
    ) as settings:
        client = client_for(settings)
        session_id = str(upload(client, settings, "learner-outage")["id"])
        transcriber = FlakyTranscriber(
            FastTranscriber(), failures=None, transient=True, message="upstream timed out (504)"
        )
        results = launch_requested(
            settings, fresh_db_url, provider_resources(transcriber=transcriber)
        )

    assert len(results) == 1 and not results[0].success
    assert transcriber.calls == 4  # the first try and three retries
    status, message = status_of(fresh_db_url, session_id)
    assert status is SessionStatus.FAILED
    assert message == learner_message(Reason.SERVICE_UNAVAILABLE)
    assert "TranscriptionError" not in message
    assert_consistent(fresh_db_url)
