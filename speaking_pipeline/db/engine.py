"""Engine and session factory for the app database, resolved from settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from speaking_pipeline.config import Settings
from speaking_pipeline.db.liveness import ping_when_idle
from speaking_pipeline.db.urls import sqlalchemy_url


def resolve_database_urls(settings: Settings) -> tuple[str, str]:
    """(app URL, Dagster storage URL). Starts the embedded server when DATABASE_URL is unset,
    and exports the URLs so that child processes (the Dagster code location reads
    DATABASE_URL through its database resource) use the same server.

    Called by the processes that start things (`up`, the API, the CLI), never by a
    resource: a run finds the URL in its environment."""
    if settings.database_url:
        app_url = settings.database_url
        dagster_url = settings.dagster_database_url or app_url
        # Set in `.env` only, it would not reach the children otherwise.
        os.environ.setdefault("DATABASE_URL", app_url)
    else:
        from speaking_pipeline.db.embedded import start_embedded

        embedded = start_embedded(settings.data_dir)
        app_url, dagster_url = embedded.app_url, embedded.dagster_url
        os.environ["DATABASE_URL"] = app_url
        os.environ.setdefault("DAGSTER_DATABASE_URL", dagster_url)
    return app_url, dagster_url


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    # hide_parameters: a database error's text (logged, recorded by Dagster) would otherwise
    # carry the statement's parameters: topics, transcripts, learner ids.
    engine = create_engine(
        sqlalchemy_url(url),
        pool_size=5,
        max_overflow=5,
        pool_use_lifo=True,
        hide_parameters=True,
    )
    return ping_when_idle(engine)


def session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(engine_for(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """One transaction: committed on success, rolled back on error."""
    factory = session_factory(url)
    with factory() as session, session.begin():
        yield session
