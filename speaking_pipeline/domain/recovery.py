"""Decides what to do with a session that has sat in a processing state for too long."""

from __future__ import annotations

import enum
from dataclasses import dataclass

MAX_PROCESS_ATTEMPTS = 3


class Recovery(enum.Enum):
    WAIT = "wait"  # a run is alive, or it is too soon to tell
    REQUEST = "request"  # never requested (the delivery was lost): request it now
    RELAUNCH = "relaunch"  # requested, but no live run: launch another
    FAIL = "fail"  # attempts exhausted


@dataclass(frozen=True)
class StuckSession:
    status: str
    requested: bool
    age_secs: float
    live_runs: int
    finished_runs: int


def decide(s: StuckSession, *, stuck_after_secs: float) -> Recovery:
    if s.live_runs or s.age_secs < stuck_after_secs:
        return Recovery.WAIT
    if s.status == "UPLOADED" and not s.requested:
        return Recovery.REQUEST
    if s.finished_runs >= MAX_PROCESS_ATTEMPTS:
        return Recovery.FAIL
    return Recovery.RELAUNCH
