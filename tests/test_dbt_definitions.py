"""The dbt assets load into the code location below the session pipeline, on a schedule, and
their manifest can be prepared without a database."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path

import pytest
from dagster import AssetKey, DefaultScheduleStatus, Definitions
from dagster_dbt import DbtProject

from speaking_pipeline.defs.analytics import (
    DBT_PROJECT_DIR,
    DBT_RESOURCE_KEY,
    dbt_analytics_assets,
    dbt_schedule,
    defs,
    prepare_manifest,
)
from speaking_pipeline.defs.analytics.project import manifest_is_stale
from speaking_pipeline.defs.resources import session_resources
from speaking_pipeline.defs.sessions.assets import (
    insights,
    pattern_profile,
    session_audio,
    transcript,
)

MODELS = {
    "stg_learners",
    "stg_sessions",
    "stg_transcripts",
    "stg_insights",
    "stg_profiles",
    "stg_profile_patterns",
    "pattern_prevalence_weekly",
    "learner_code_sessions",
    "learner_progress",
    "pipeline_status_daily",
    "pipeline_health_daily",
    "pipeline_errors",
    "reanalysis_audit",
    "analyzer_versions",
}


def _key(model: str) -> AssetKey:
    return AssetKey(["analytics", model])


def _ancestors(parents: Mapping[AssetKey, AbstractSet[AssetKey]], key: AssetKey) -> set[AssetKey]:
    found: set[AssetKey] = set()
    todo = [key]
    while todo:
        for parent in parents.get(todo.pop(), set()):
            if parent not in found:
                found.add(parent)
                todo.append(parent)
    return found


def test_models_hang_below_the_session_assets() -> None:
    session_pipeline = Definitions(
        assets=[session_audio, transcript, insights, pattern_profile],
        resources=session_resources(),
    )
    combined = Definitions.merge(session_pipeline, defs)
    Definitions.validate_loadable(combined)
    graph = combined.resolve_asset_graph()
    parents_of = {key: graph.get(key).parent_keys for key in graph.get_all_asset_keys()}

    assert {_key(m) for m in MODELS} == set(dbt_analytics_assets.keys)
    parents = {m: graph.get(_key(m)).parent_keys for m in MODELS}
    assert parents["stg_insights"] == {AssetKey("insights")}
    assert parents["stg_sessions"] == {AssetKey("insights")}
    assert parents["stg_transcripts"] == {AssetKey("transcript")}
    assert parents["stg_profiles"] == {AssetKey("pattern_profile")}
    assert parents["learner_progress"] == {_key("learner_code_sessions")}
    # End to end: from the session's audio to every mart.
    for mart in ("pattern_prevalence_weekly", "learner_progress", "reanalysis_audit"):
        assert _ancestors(parents_of, _key(mart)) >= {
            AssetKey("insights"),
            AssetKey("transcript"),
            AssetKey("session_audio"),
        }
    assert not graph.get(_key("learner_progress")).is_partitioned
    assert {graph.get(_key(m)).group_name for m in MODELS} == {"analytics"}


def test_dbt_tests_are_asset_checks_and_resource_is_bound() -> None:
    checked = {key.asset_key for key in dbt_analytics_assets.check_keys}
    assert checked == {_key(m) for m in MODELS}
    names = {key.name for key in dbt_analytics_assets.check_keys}
    assert "assert_progress_change_is_latest_minus_first" in names
    assert (
        "accepted_values_learner_progress_trend__improving__worsening__steady__single_session"
        in (names)
    )
    assert DBT_RESOURCE_KEY in (defs.resources or {})


def test_schedule_builds_every_model_hourly_and_starts_running() -> None:
    assert dbt_schedule.cron_schedule == "15 * * * *"
    assert dbt_schedule.default_status == DefaultScheduleStatus.RUNNING
    job = defs.resolve_job_def(dbt_schedule.job_name)
    assert job.asset_layer.selected_asset_keys == set(dbt_analytics_assets.keys)


def test_manifest_is_prepared_without_a_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project_dir = tmp_path / "dbt"
    shutil.copytree(DBT_PROJECT_DIR, project_dir, ignore=shutil.ignore_patterns("target", "logs"))
    # Nothing listens here: parsing must not try to connect.
    monkeypatch.setenv("SP_DBT_HOST", str(tmp_path / "no-such-socket-dir"))
    monkeypatch.setenv("SP_DBT_PORT", "1")
    project = DbtProject(project_dir=project_dir, profiles_dir=project_dir)
    assert manifest_is_stale(project)

    manifest_path = prepare_manifest(project)

    assert not manifest_is_stale(project)
    manifest = json.loads(manifest_path.read_text())
    sources = {node["name"]: node["meta"] for node in manifest["sources"].values()}
    assert sources["insights"] == {"dagster": {"asset_key": ["insights"]}}
    assert sources["transcripts"] == {"dagster": {"asset_key": ["transcript"]}}
    models = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    assert models == MODELS

    # Editing a model makes the manifest stale, so the next code-location load re-parses.
    model = project_dir / "models" / "marts" / "learner_progress.sql"
    stamp = manifest_path.stat().st_mtime + 5
    os.utime(model, (stamp, stamp))
    assert manifest_is_stale(project)
