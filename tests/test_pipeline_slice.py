"""Upload over HTTP, then the real Dagster job on a PostgreSQL-backed instance, to DONE."""

from __future__ import annotations

from pathlib import Path

import pytest
from dagster import AssetKey
from sqlalchemy import select

from speaking_pipeline.db.engine import session_scope
from speaking_pipeline.db.models import SessionStatus, SpeakingSession
from speaking_pipeline.domain.verbatim import is_verbatim
from tests.support import (
    app_env,
    auth,
    client_for,
    dagster_instance,
    launch_requested_runs,
    upload,
)


def test_upload_to_done_through_dagster(
    monkeypatch: pytest.MonkeyPatch,
    fresh_db_url: str,
    dagster_db_url: str,
    whisper_model_dir: Path,
    tmp_path: Path,
) -> None:
    with app_env(
        monkeypatch,
        app_db_url=fresh_db_url,
        dagster_db_url=dagster_db_url,
        data_dir=tmp_path / "data",
        whisper_model_dir=whisper_model_dir,
    ) as settings:
        client = client_for(settings)
        created = upload(client, settings, "learner-a")
        session_id = str(created["id"])
        assert created["status"] == "UPLOADED"
        audio_files = list((tmp_path / "data" / "audio").rglob("audio.webm"))
        assert len(audio_files) == 1

        instance = dagster_instance(settings)
        assert instance.has_dynamic_partition("sessions", session_id)

        assert launch_requested_runs(settings, fresh_db_url) == [session_id]

        detail = client.get(f"/api/sessions/{session_id}", headers=auth("learner-a", settings))
        assert detail.status_code == 200
        body = detail.json()
        assert body["status"] == "DONE"
        transcript = body["transcript"]["text"]
        assert "market" in transcript.lower()
        assert body["focusNext"]
        fluency = body["fluency"]  # measured from Whisper's word timings
        assert 60 < fluency["speech_rate_wpm"] < 250
        assert fluency["articulation_rate_wpm"] >= fluency["speech_rate_wpm"]
        for insight in body["insights"]:
            assert 2 <= len(insight["examples"]) <= 3
            assert all(is_verbatim(e, transcript) for e in insight["examples"])
        assert body["audioDeletedAt"] is not None
        assert not list((tmp_path / "data" / "audio").rglob("audio.*"))

        materialized = instance.get_materialized_partitions(AssetKey("insights"))
        assert session_id in materialized

        other = client.get(f"/api/sessions/{session_id}", headers=auth("learner-b", settings))
        assert other.status_code == 404

    with session_scope(fresh_db_url) as db:
        row = db.scalar(select(SpeakingSession).where(SpeakingSession.id == session_id))
        assert row is not None and row.status is SessionStatus.DONE
