"""The run tags analysts filter session runs by, whoever launches the run."""

from __future__ import annotations

from datetime import datetime

SESSION_TAG = "speaking/session"
USER_TAG = "speaking/user"
UPLOADED_TAG = "speaking/uploaded"


def run_tags(session_id: str, user_id: str, uploaded: datetime) -> dict[str, str]:
    """The session, its learner's internal id (never the external id or any learner text)
    and the upload date."""
    return {
        SESSION_TAG: session_id,
        USER_TAG: user_id,
        UPLOADED_TAG: uploaded.date().isoformat(),
    }
