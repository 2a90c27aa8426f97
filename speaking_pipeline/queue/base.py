"""The queue contract: ask for a session to be processed, at least once."""

from __future__ import annotations

from typing import Protocol


class ProcessingQueue(Protocol):
    name: str

    def enqueue(self, session_id: str) -> None:
        """Request processing of `session_id`; delivery may be repeated."""
        ...
