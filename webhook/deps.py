"""What the routes need, built once per app: settings and the use cases' services."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from speaking_pipeline.config import Settings
from speaking_pipeline.db.repository import Repository
from speaking_pipeline.pipeline.intake import RunLauncher
from speaking_pipeline.pipeline.sessions import Services


@dataclass
class AppDeps:
    settings: Settings
    services: Services
    # Launches a session's run right after its request is recorded (None: the sensor does).
    launcher: RunLauncher | None = None

    @property
    def repo(self) -> Repository:
        return self.services.repo


def deps(request: Request) -> AppDeps:
    value: AppDeps = request.app.state.deps
    return value
