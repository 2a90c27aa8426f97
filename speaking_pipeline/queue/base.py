"""The queue contract: ask for a session to be processed, at least once."""

from __future__ import annotations

from typing import Protocol


class ProcessingQueue(Protocol):
    name: str

    def enqueue(self, session_id: str) -> None:
        """Request processing of `session_id`; delivery may be repeated."""
        ...


class RunLauncher(Protocol):
    """Starts a session's processing run now (orchestration/launch.py)."""

    def launch(self, session_id: str) -> str:
        """The run's id; raises when no run was launched."""
        ...
