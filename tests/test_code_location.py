"""The code location loads the way the Dagster webserver and daemon load it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_workspace_validates_with_the_dagster_cli() -> None:
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dagster"),
            "definitions",
            "validate",
            "-w",
            str(REPO / "workspace.yaml"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        # As the daemon sees it: no Dagster environment left over from other tests.
        env={k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "SPEAKING_"))},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "passed validation" in output


def test_definitions_expose_the_session_pipeline() -> None:
    from speaking_pipeline.definitions import defs

    repo = defs.get_repository_def()
    keys = {key.to_user_string() for key in repo.assets_defs_by_key}
    assert {"transcript", "insights", "pattern_profile"} <= keys
    assert {"process_session", "reanalyze_sessions", "recompute_profiles_job"} <= set(
        repo.job_names
    )
    sensors = {s.name for s in repo.sensor_defs}
    assert {
        "session_intake_sensor",
        "session_outcome_sensor",
        "stuck_session_sensor",
    } <= sensors


def test_insights_code_version_carries_the_analyzer_version() -> None:
    from dagster import AssetKey

    from speaking_pipeline.analysis.heuristic import HeuristicAnalyzer
    from speaking_pipeline.definitions import defs

    versions = defs.get_assets_def(AssetKey("insights")).code_versions_by_key
    assert versions[AssetKey("insights")].endswith("+" + HeuristicAnalyzer().version)
