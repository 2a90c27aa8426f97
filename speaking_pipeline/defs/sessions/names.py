"""Names shared by the session jobs and whoever launches them (the intake sensor, the API)."""

from speaking_pipeline.domain.run_tags import SESSION_TAG, UPLOADED_TAG, USER_TAG, run_tags

PROCESS_JOB_NAME = "process_session"
RUN_KEY_TAG = "dagster/run_key"
PARTITION_TAG = "dagster/partition"
LAUNCHED_BY_TAG = "speaking/launched_by"

__all__ = [
    "LAUNCHED_BY_TAG",
    "PARTITION_TAG",
    "PROCESS_JOB_NAME",
    "RUN_KEY_TAG",
    "SESSION_TAG",
    "UPLOADED_TAG",
    "USER_TAG",
    "intake_run_key",
    "run_tags",
]


def intake_run_key(session_id: str) -> str:
    """The run key of a session's first processing run, whoever launches it."""
    return f"process:{session_id}"
