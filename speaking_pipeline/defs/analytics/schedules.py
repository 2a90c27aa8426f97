"""Keeps the analytics models fresh: all dbt models and tests, every hour."""

from __future__ import annotations

from dagster import DefaultScheduleStatus
from dagster_dbt import build_schedule_from_dbt_selection

from speaking_pipeline.defs.analytics.assets import dbt_analytics_assets

dbt_schedule = build_schedule_from_dbt_selection(
    [dbt_analytics_assets],
    job_name="dbt_analytics_job",
    cron_schedule="15 * * * *",
    schedule_name="dbt_analytics_hourly",
    execution_timezone="UTC",
    # Analysts expect the models to be current without switching anything on.
    default_status=DefaultScheduleStatus.RUNNING,
)
