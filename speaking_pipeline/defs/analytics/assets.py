"""The dbt models as Dagster assets downstream of `insights`, built and tested by `dbt build`."""

# No `from __future__ import annotations` here: Dagster reads the run config class from the
# asset function's annotations at definition time and needs real types, not strings.
import json
import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, Config
from dagster_dbt import dbt_assets
from pydantic import Field

from speaking_pipeline.config import get_settings
from speaking_pipeline.defs.analytics.project import (
    analytics_project,
    manifest_is_stale,
    prepare_manifest,
)
from speaking_pipeline.defs.analytics.resources import AnalyticsDbtResource
from speaking_pipeline.defs.analytics.translator import analytics_translator

logger = logging.getLogger(__name__)


def _load_manifest() -> Path:
    """The manifest the assets are defined from, parsed now if setup did not prepare it or
    the project changed since. A project that no longer parses keeps its last good manifest,
    so an analyst's broken model cannot take the whole code location down."""
    if not manifest_is_stale(analytics_project):
        return analytics_project.manifest_path
    try:
        return prepare_manifest(analytics_project)
    except Exception:
        if analytics_project.manifest_path.exists():
            logger.exception("dbt parse failed; using the previous manifest")
            return analytics_project.manifest_path
        raise RuntimeError(
            "The dbt project in dbt_profiles/ could not be parsed and has no manifest yet;"
            " run `.venv/bin/dbt parse --project-dir dbt_profiles --profiles-dir dbt_profiles`"
            " to see the error."
        ) from None


def configured_analyzer_version() -> str | None:
    """The version of the analyzer this deployment is configured with, or None when it
    cannot be built here (the models then treat the latest analysis's version as current)."""
    # Any failure (a provider without its key, a missing optional module) only means the
    # version is unknown here, which the models handle; it must not fail the dbt run.
    try:
        from speaking_pipeline.providers import analyzer_version

        return analyzer_version(get_settings())
    except Exception as exc:
        logger.warning("configured analyzer unavailable (%s)", type(exc).__name__)
        return None


class AnalyticsRunConfig(Config):
    current_analyzer_version: str | None = Field(
        default=None,
        description=(
            "Analyzer version the re-analysis audit treats as current. Default: the"
            " configured analyzer's version, else the version of the latest analysis."
        ),
    )


@dbt_assets(
    manifest=_load_manifest(),
    project=analytics_project,
    dagster_dbt_translator=analytics_translator(),
    name="dbt_analytics",
)
def dbt_analytics_assets(
    context: AssetExecutionContext, dbt: AnalyticsDbtResource, config: AnalyticsRunConfig
) -> Iterator[Any]:
    args = ["build"]
    version = config.current_analyzer_version or configured_analyzer_version()
    if version:
        args += ["--vars", json.dumps({"current_analyzer_version": version})]
    # Each invocation's artifacts go to a directory that is removed afterwards: a scheduled
    # run would otherwise leave one under dbt_profiles/target/ every hour, forever. Results
    # and errors reach Dagster through the event stream.
    with tempfile.TemporaryDirectory(prefix="dbt-analytics-") as target:
        yield from dbt.cli(args, context=context, target_path=Path(target)).stream()
