"""The local queue: records the request exactly as the webhook does, without a network hop."""

from __future__ import annotations

from speaking_pipeline.db.repository import Repository
from speaking_pipeline.pipeline.intake import request_processing
from speaking_pipeline.queue.base import RunLauncher


class DirectQueue:
    name = "direct"

    def __init__(self, repo: Repository, launcher: RunLauncher | None = None) -> None:
        self.repo = repo
        self.launcher = launcher

    def enqueue(self, session_id: str) -> None:
        request_processing(self.repo, session_id, launcher=self.launcher)
