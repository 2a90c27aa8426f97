"""The local queue: records the request exactly as the webhook does, without a network hop."""

from __future__ import annotations

from speaking_pipeline.db.repository import Repository
from speaking_pipeline.pipeline.intake import request_processing


class DirectQueue:
    name = "direct"

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    def enqueue(self, session_id: str) -> None:
        request_processing(self.repo, session_id)
