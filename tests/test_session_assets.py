"""The session assets materialised with `materialize()` and fakes passed in as resources:
what they store, and which failures stop the retries at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dagster import DagsterEventType, DagsterInstance, materialize

from speaking_pipeline.analysis.heuristic import HeuristicAnalyzer
from speaking_pipeline.analysis.llm_prompt import llm_version
from speaking_pipeline.config import DEFAULT_ANTHROPIC_MODEL
from speaking_pipeline.db.repository import Repository
from speaking_pipeline.defs.resources import DatabaseResource
from speaking_pipeline.defs.sessions.assets import (
    INSIGHTS_CODE_VERSION,
    fluency,
    insights,
    pattern_profile,
    session_audio,
    transcript,
)
from speaking_pipeline.defs.sessions.partitions import SESSIONS_PARTITIONS_NAME
from speaking_pipeline.domain.lifecycle import Event, SessionStatus
from speaking_pipeline.storage.local import LocalAudioStore
from tests.fakes.flaky import FastTranscriber, FlakyAnalyzer
from tests.support import SPEECH_DIR, new_session

REPO = Path(__file__).resolve().parents[1]


def _uploaded_session(repo: Repository, store: LocalAudioStore) -> str:
    new = new_session(repo, "assets")
    with (SPEECH_DIR / "speech.webm").open("rb") as data:
        store.put(new.audio_key, data, "audio/webm")
    repo.move(new.id, Event.UPLOAD_STORED)
    return new.id


def _instance_with(session_id: str) -> DagsterInstance:
    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(SESSIONS_PARTITIONS_NAME, [session_id])
    return instance


def test_the_pipeline_assets_with_fakes_passed_in(app_db_url: str, tmp_path: Path) -> None:
    repo = Repository(app_db_url)
    store = LocalAudioStore(tmp_path / "audio")
    session_id = _uploaded_session(repo, store)
    transcriber = FastTranscriber()

    result = materialize(
        [session_audio, transcript, fluency, insights, pattern_profile],
        partition_key=session_id,
        instance=_instance_with(session_id),
        resources={
            "database": DatabaseResource(url=app_db_url),
            "audio_store": store,
            "transcriber": transcriber,
            "analyzer": HeuristicAnalyzer(),
        },
    )

    assert result.success
    assert transcriber.calls == 1
    stored = repo.session(session_id)
    assert stored is not None
    # The sensors, not the assets, finish a session: the last move was to ANALYZING.
    assert stored.status is SessionStatus.ANALYZING
    assert stored.audio_deleted_at is not None and stored.summary and stored.fluency
    assert not list((tmp_path / "audio").rglob("audio.webm"))
    checked = repo.stored_for_checks(session_id)
    assert checked is not None and checked.transcript
    assert checked.insights, "the heuristic analyzer finds the fake learner's patterns"
    metadata = result.asset_materializations_for_node("insights")[0].metadata
    assert metadata["analyzer_version"].value == HeuristicAnalyzer().version
    assert metadata["insight_count"].value == len(checked.insights)


def test_a_missing_transcript_fails_the_analysis_for_good(app_db_url: str, tmp_path: Path) -> None:
    """Retrying cannot make a transcript: the step fails once, with no retry."""
    repo = Repository(app_db_url)
    session_id = _uploaded_session(repo, LocalAudioStore(tmp_path / "audio"))
    analyzer = FlakyAnalyzer(HeuristicAnalyzer(), failures=0, transient=False, message="unused")
    instance = _instance_with(session_id)

    result = materialize(
        [insights],
        partition_key=session_id,
        instance=instance,
        resources={"database": DatabaseResource(url=app_db_url), "analyzer": analyzer},
        raise_on_error=False,
    )

    assert not result.success
    assert analyzer.calls == 0
    events = [e.event_type for e in result.all_events]
    assert DagsterEventType.STEP_UP_FOR_RETRY not in events
    (failure,) = [e for e in result.all_events if e.event_type is DagsterEventType.STEP_FAILURE]
    data = failure.step_failure_data
    assert data is not None and data.user_failure_data is not None
    assert data.user_failure_data.description == (
        f"session {session_id} has no transcript to analyse"
    )
    stored = repo.session(session_id)
    assert stored is not None and stored.status is SessionStatus.UPLOADED


def test_the_code_location_loads_without_building_an_analyzer() -> None:
    """An LLM analyzer chosen without its key: the code location still loads, and the
    insights code version carries the configured analyzer's version."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DAGSTER_", "SPEAKING_", "ANTHROPIC_", "ANALYZER"))
    }
    env["ANALYZER"] = "anthropic"
    code = (
        "import json; from dagster import AssetKey;"
        "from speaking_pipeline.definitions import defs;"
        "v = defs.get_assets_def(AssetKey('insights')).code_versions_by_key[AssetKey('insights')];"
        "print(json.dumps(v))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    version = json.loads(result.stdout.strip().splitlines()[-1])
    assert version == f"{INSIGHTS_CODE_VERSION}+{llm_version('anthropic', DEFAULT_ANTHROPIC_MODEL)}"
