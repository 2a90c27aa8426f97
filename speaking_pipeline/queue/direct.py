"""The local queue: records the request exactly as the webhook does, without a network hop."""

from __future__ import annotations

from speaking_pipeline.pipeline.intake import request_processing


class DirectQueue:
    name = "direct"

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url

    def enqueue(self, session_id: str) -> None:
        request_processing(self.db_url, session_id)
