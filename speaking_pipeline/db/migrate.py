"""Applies the Alembic migrations of the app database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from speaking_pipeline.db.urls import sqlalchemy_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Dagster's own storage keeps its revision in `alembic_version`; when both share one
# database ours must live elsewhere.
VERSION_TABLE = "speaking_alembic_version"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", sqlalchemy_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)
