"""The outcome sensor: both run outcomes in one evaluation, read in storage order."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from dagster import DagsterEventType, build_sensor_context

from speaking_pipeline.db.models import SessionStatus
from speaking_pipeline.defs.resources import DatabaseResource, audio_store_resource
from speaking_pipeline.defs.sessions.sensors import merge_in_storage_order, session_outcome_sensor
from tests.fakes.flaky import FastTranscriber, FlakyTranscriber, provider_resources
from tests.fault_support import instance_of, run_job, status_of
from tests.support import app_env, client_for, upload


def _records(*ids: int) -> list[SimpleNamespace]:
    return [SimpleNamespace(storage_id=i) for i in ids]


def test_merge_is_in_storage_order_and_stops_where_a_full_batch_ends() -> None:
    merged = merge_in_storage_order([_records(1, 4, 9), _records(2, 3)], limit=5)
    assert [r.storage_id for r in merged] == [1, 2, 3, 4, 9]
    # The first batch is full: failures after 4 may not have been read yet, so 6 and 8
    # wait for the next evaluation (the cursor stops at 4).
    merged = merge_in_storage_order([_records(1, 4), _records(2, 6, 8)], limit=2)
    assert [r.storage_id for r in merged] == [1, 2, 4]


def test_one_evaluation_marks_one_session_done_and_another_failed(
    monkeypatch: pytest.MonkeyPatch, fresh_db_url: str, dagster_db_url: str, tmp_path: Path
) -> None:
    with app_env(
        monkeypatch, app_db_url=fresh_db_url, dagster_db_url=dagster_db_url, data_dir=tmp_path
    ) as settings:
        client = client_for(settings)
        ok = str(upload(client, settings, "learner-outcome-ok")["id"])
        bad = str(upload(client, settings, "learner-outcome-bad")["id"])
        instance = instance_of(settings)
        resources = {
            "database": DatabaseResource(url=fresh_db_url),
            "audio_store": audio_store_resource,
        }
        # First evaluation: starts after the latest outcome, as Dagster's run-status
        # sensors do, and moves nothing.
        with build_sensor_context(instance=instance, resources=resources) as ctx:
            session_outcome_sensor(ctx)
            start = ctx.cursor
        assert start is not None
        run_job(settings, fresh_db_url, ok, provider_resources(), sensors=False)
        broken = FlakyTranscriber(
            FastTranscriber(), failures=None, transient=False, message="unsupported codec xyz"
        )
        run_job(settings, fresh_db_url, bad, provider_resources(transcriber=broken), sensors=False)
        assert status_of(fresh_db_url, ok)[0] is not SessionStatus.DONE
        assert status_of(fresh_db_url, bad)[0] is not SessionStatus.FAILED

        with build_sensor_context(instance=instance, cursor=start, resources=resources) as ctx:
            session_outcome_sensor(ctx)
            after = int(ctx.cursor or -1)

    assert status_of(fresh_db_url, ok)[0] is SessionStatus.DONE
    assert status_of(fresh_db_url, bad)[0] is SessionStatus.FAILED
    last_failure = max(
        r.storage_id
        for r in instance.fetch_run_status_changes(DagsterEventType.RUN_FAILURE, limit=5).records
    )
    assert after >= last_failure
