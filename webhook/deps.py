"""What the routes need, built once per app: settings, database URL, store, queue, Dagster."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import Request

from speaking_pipeline.config import Settings
from speaking_pipeline.queue.base import ProcessingQueue
from speaking_pipeline.storage.base import AudioStore

if TYPE_CHECKING:
    from dagster import DagsterInstance


@dataclass
class AppDeps:
    settings: Settings
    db_url: str
    store: AudioStore
    queue: ProcessingQueue
    instance: DagsterInstance


def deps(request: Request) -> AppDeps:
    value: AppDeps = request.app.state.deps
    return value
