"""Builds the Starlette application from settings."""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.middleware import Middleware

from speaking_pipeline.config import Settings, get_settings
from speaking_pipeline.db.engine import resolve_database_urls
from speaking_pipeline.orchestration import instance_at, prepare_dagster_home
from speaking_pipeline.providers import build_audio_store, build_queue
from webhook.deps import AppDeps
from webhook.errors import ApiError, api_error_handler, unexpected_error_handler
from webhook.middleware import BodyReadTimeout, ErrorShield
from webhook.routes import health, internal, profile, sessions


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or get_settings()
    logging.basicConfig(level=logging.INFO)
    db_url, dagster_url = resolve_database_urls(settings)
    dagster_home = prepare_dagster_home(settings.dagster_home, dagster_url)
    app = Starlette(
        routes=[*sessions.routes, *internal.routes, *profile.routes, *health.routes],
        middleware=[Middleware(ErrorShield), Middleware(BodyReadTimeout)],
        exception_handlers={ApiError: api_error_handler, Exception: unexpected_error_handler},
    )
    app.state.deps = AppDeps(
        settings=settings,
        db_url=db_url,
        store=build_audio_store(settings),
        queue=build_queue(settings, db_url),
        instance=instance_at(str(dagster_home)),
    )
    return app
