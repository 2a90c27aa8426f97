"""Nightly recomputation of all pattern profiles."""

from dagster import DefaultScheduleStatus, ScheduleDefinition

from speaking_pipeline.defs.profiles.jobs import recompute_profiles_job

recompute_profiles_schedule = ScheduleDefinition(
    name="recompute_profiles_nightly",
    job=recompute_profiles_job,
    cron_schedule="0 3 * * *",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Recompute every profile nightly; the per-session run refreshes one learner.",
)
