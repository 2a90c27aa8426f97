"""Names shared by the session jobs and whoever launches them (the intake sensor, the API)."""

PROCESS_JOB_NAME = "process_session"
RUN_KEY_TAG = "dagster/run_key"
PARTITION_TAG = "dagster/partition"
SESSION_TAG = "speaking/session"
LAUNCHED_BY_TAG = "speaking/launched_by"


def intake_run_key(session_id: str) -> str:
    """The run key of a session's first processing run, whoever launches it."""
    return f"process:{session_id}"
