"""Decides what to do with a session that has sat in a processing state for too long."""

from __future__ import annotations

import enum
from dataclasses import dataclass

MAX_PROCESS_ATTEMPTS = 3


class Recovery(enum.Enum):
    WAIT = "wait"  # a run is alive or about to be, or it is too soon to tell
    REQUEST = "request"  # never requested (the delivery was lost): request it now
    RELAUNCH = "relaunch"  # runs were launched, none is alive and none finished the work
    MARK_DONE = "mark_done"  # the last run finished the work; its success went unrecorded
    FAIL = "fail"  # attempts exhausted


@dataclass(frozen=True)
class StuckSession:
    status: str
    requested: bool
    age_secs: float
    live_runs: int
    finished_runs: int
    # Seconds since a failed run that Dagster will retry ended (None: no retry pending).
    retry_pending_secs: float | None = None
    # The newest run succeeded and covered the analysis.
    last_run_completed: bool = False


def decide(s: StuckSession, *, stuck_after_secs: float) -> Recovery:
    if s.live_runs:
        return Recovery.WAIT
    # Dagster's run retry launches within seconds; only a retry that never comes is stuck.
    if s.retry_pending_secs is not None and s.retry_pending_secs < stuck_after_secs:
        return Recovery.WAIT
    if s.age_secs < stuck_after_secs:
        return Recovery.WAIT
    if s.last_run_completed:
        return Recovery.MARK_DONE
    if s.status == "UPLOADED" and not s.requested:
        return Recovery.REQUEST
    if s.status == "UPLOADED" and s.finished_runs == 0:
        # Requested, never launched: the intake sensor launches it under its own run_key
        # (it may be working through a backlog). A run launched from here as well would
        # process the session twice.
        return Recovery.WAIT
    if s.finished_runs >= MAX_PROCESS_ATTEMPTS:
        return Recovery.FAIL
    return Recovery.RELAUNCH
