"""Builds the Starlette application from settings."""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.middleware import Middleware

from speaking_pipeline.config import Settings, get_settings
from speaking_pipeline.db.engine import resolve_database_urls
from speaking_pipeline.db.repository import Repository
from speaking_pipeline.orchestration.instance import instance_at, prepare_dagster_home
from speaking_pipeline.orchestration.launch import GraphQLSessionLauncher
from speaking_pipeline.orchestration.partitions import DagsterSessionPartitions
from speaking_pipeline.pipeline.sessions import Services
from speaking_pipeline.providers import build_audio_store, build_queue
from webhook.deps import AppDeps
from webhook.errors import ApiError, api_error_handler, unexpected_error_handler
from webhook.middleware import BodyReadTimeout, ErrorShield
from webhook.routes import health, internal, profile, sessions
from webhook.web import routes as web
from webhook.web.headers import SecurityHeadersMiddleware


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or get_settings()
    logging.basicConfig(level=logging.INFO)
    db_url, dagster_url = resolve_database_urls(settings)
    dagster_home = prepare_dagster_home(settings.dagster_home, dagster_url)
    app = Starlette(
        routes=[
            *sessions.routes,
            *internal.routes,
            *profile.routes,
            *health.routes,
            *web.routes,
        ],
        # Outermost first: every answer gets the security headers, the shield's 500/503
        # included; the body timeout sits next to the routes that read bodies.
        middleware=[
            Middleware(SecurityHeadersMiddleware),
            Middleware(ErrorShield),
            Middleware(BodyReadTimeout),
        ],
        exception_handlers={ApiError: api_error_handler, Exception: unexpected_error_handler},
    )
    repo = Repository(db_url)
    launcher = (
        GraphQLSessionLauncher(settings.dagster_graphql_url)
        if settings.dagster_graphql_url
        else None
    )
    app.state.deps = AppDeps(
        settings=settings,
        services=Services(
            repo=repo,
            store=build_audio_store(settings),
            queue=build_queue(settings, repo, launcher),
            partitions=DagsterSessionPartitions(instance_at(str(dagster_home))),
        ),
        launcher=launcher,
    )
    return app
