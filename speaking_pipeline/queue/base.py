"""The queue contract: ask for a session to be processed, at least once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class ProcessingQueue(Protocol):
    name: str

    def enqueue(self, session_id: str) -> None:
        """Request processing of `session_id`; delivery may be repeated."""
        ...


class RunLauncher(Protocol):
    """Starts a session's processing run now (orchestration/launch.py)."""

    def launch(self, session_id: str, tags: Mapping[str, str]) -> str:
        """The run's id; raises when no run was launched. `tags`: the run's tags for
        analysts (defs/sessions/names.py `run_tags`), beside the launcher's own."""
        ...
