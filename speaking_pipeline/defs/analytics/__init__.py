"""Analytics for analysts: the dbt project in dbt_profiles/ as Dagster assets and schedule."""

from __future__ import annotations

from dagster import Definitions

from speaking_pipeline.defs.analytics.assets import (
    AnalyticsRunConfig,
    configured_analyzer_version,
    dbt_analytics_assets,
)
from speaking_pipeline.defs.analytics.project import (
    DBT_PROJECT_DIR,
    analytics_project,
    dbt_connection_env,
    prepare_manifest,
)
from speaking_pipeline.defs.analytics.resources import AnalyticsDbtResource, dbt_resource
from speaking_pipeline.defs.analytics.schedules import dbt_schedule
from speaking_pipeline.defs.analytics.sensors import analytics_bootstrap_sensor

DBT_RESOURCE_KEY = "dbt"

defs = Definitions(
    assets=[dbt_analytics_assets],
    schedules=[dbt_schedule],
    sensors=[analytics_bootstrap_sensor],
    resources={DBT_RESOURCE_KEY: dbt_resource()},
)

__all__ = [
    "DBT_PROJECT_DIR",
    "DBT_RESOURCE_KEY",
    "AnalyticsDbtResource",
    "AnalyticsRunConfig",
    "analytics_bootstrap_sensor",
    "analytics_project",
    "configured_analyzer_version",
    "dbt_analytics_assets",
    "dbt_connection_env",
    "dbt_resource",
    "dbt_schedule",
    "defs",
    "prepare_manifest",
]
