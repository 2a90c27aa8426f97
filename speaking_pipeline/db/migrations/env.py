"""Alembic environment: runs migrations against the configured app database."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from speaking_pipeline.db.migrate import VERSION_TABLE
from speaking_pipeline.db.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url must be set"
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table=VERSION_TABLE,
            compare_type=True,
        )
        with context.begin_transaction():
            # Two processes starting at once (API and daemon) must not both migrate.
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(724201117)")
            context.run_migrations()


run_migrations_online()
