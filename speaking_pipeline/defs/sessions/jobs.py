"""Jobs over session partitions: first processing, and re-analysis from stored transcripts."""

from dagster import AssetSelection, define_asset_job, in_process_executor

from speaking_pipeline.defs.sessions.assets import fluency, insights, pattern_profile, transcript
from speaking_pipeline.defs.sessions.names import PROCESS_JOB_NAME
from speaking_pipeline.defs.sessions.partitions import sessions_partitions

# A failed step has already had its RetryPolicy (transient errors) or failed for good
# (permanent ones), so Dagster's run retries are kept for runs that died without a step
# failing: a killed worker, a lost container. Without this a permanent error would run the
# whole job again, and the session would wait on `dagster/will_retry` meanwhile.
#
# The local run launcher cannot tell that a run worker was killed (its run would stay
# STARTED for ever), so run monitoring fails any session run that outlives this bound; the
# failure then gets the run retry above, and the stuck-session sensor takes it from there.
SESSION_RUN_TAGS = {
    "dagster/retry_on_asset_or_op_failure": "false",
    "dagster/max_runtime": str(60 * 60),
}

process_session_job = define_asset_job(
    PROCESS_JOB_NAME,
    selection=AssetSelection.assets(transcript, fluency, insights, pattern_profile),
    partitions_def=sessions_partitions,
    description="Transcribe, analyse and profile one uploaded session.",
    # One process per run, not per step: each step process would import the whole code
    # location again (seconds each) for steps that take well under a second.
    executor_def=in_process_executor,
    tags={"speaking/kind": "process", **SESSION_RUN_TAGS},
)

reanalyze_sessions_job = define_asset_job(
    "reanalyze_sessions",
    selection=AssetSelection.assets(insights, pattern_profile),
    partitions_def=sessions_partitions,
    description="Re-run analysis on stored transcripts (the audio is long gone).",
    executor_def=in_process_executor,
    tags={"speaking/kind": "reanalyze", **SESSION_RUN_TAGS},
)
