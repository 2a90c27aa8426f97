"""The session code location: assets, jobs, sensors and schedules that process sessions.

dbt and dagster-dbt load in their own code location (`analytics_definitions`): they are
two thirds of the import time, and no session step uses them."""

from dagster import Definitions

from speaking_pipeline.defs.maintenance.sensors import leftover_audio_sensor, run_worker_sweeper
from speaking_pipeline.defs.profiles.assets import learner_profiles
from speaking_pipeline.defs.profiles.jobs import recompute_profiles_job
from speaking_pipeline.defs.profiles.schedules import recompute_profiles_schedule
from speaking_pipeline.defs.resources import session_resources
from speaking_pipeline.defs.sessions.assets import (
    fluency,
    insights,
    pattern_profile,
    session_audio,
    transcript,
)
from speaking_pipeline.defs.sessions.checks import session_checks
from speaking_pipeline.defs.sessions.jobs import process_session_job, reanalyze_sessions_job
from speaking_pipeline.defs.sessions.sensors import (
    session_intake_sensor,
    session_outcome_sensor,
    stuck_session_sensor,
)

defs = Definitions(
    assets=[session_audio, transcript, fluency, insights, pattern_profile, learner_profiles],
    asset_checks=session_checks,
    jobs=[process_session_job, reanalyze_sessions_job, recompute_profiles_job],
    sensors=[
        session_intake_sensor,
        session_outcome_sensor,
        stuck_session_sensor,
        run_worker_sweeper,
        leftover_audio_sensor,
    ],
    schedules=[recompute_profiles_schedule],
    resources=session_resources(),
)
