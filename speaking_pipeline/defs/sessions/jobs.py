"""Jobs over session partitions: first processing, and re-analysis from stored transcripts."""

from dagster import AssetSelection, define_asset_job

from speaking_pipeline.defs.sessions.assets import insights, pattern_profile, transcript
from speaking_pipeline.defs.sessions.partitions import sessions_partitions

PROCESS_JOB_NAME = "process_session"

process_session_job = define_asset_job(
    PROCESS_JOB_NAME,
    selection=AssetSelection.assets(transcript, insights, pattern_profile),
    partitions_def=sessions_partitions,
    description="Transcribe, analyse and profile one uploaded session.",
    tags={"speaking/kind": "process"},
)

reanalyze_sessions_job = define_asset_job(
    "reanalyze_sessions",
    selection=AssetSelection.assets(insights, pattern_profile),
    partitions_def=sessions_partitions,
    description="Re-run analysis on stored transcripts (the audio is long gone).",
    tags={"speaking/kind": "reanalyze"},
)
