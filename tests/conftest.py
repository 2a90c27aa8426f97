"""Shared fixtures: a fresh PostgreSQL database per test session, embedded unless
TEST_DATABASE_URL points at a server."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import create_database, drop_database

FIXTURES = Path(__file__).parent / "fixtures"

# Provider retries back off from this base delay; the retry tests need not wait seconds.
os.environ.setdefault("PROVIDER_RETRY_DELAY_SECS", "0.2")


@pytest.fixture(scope="session")
def pg_server_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of a PostgreSQL server the tests may create databases on."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    from speaking_pipeline.db.embedded import start_embedded

    # One embedded server for the whole run, outside pytest's tmp tree: pytest resets that
    # tree's permissions when another session starts, which the server (running as its
    # own system user) would not survive.
    embedded = start_embedded(Path(tempfile.mkdtemp(prefix="sp-test-pg-")), delete_on_exit=True)
    return embedded.app_url


@pytest.fixture(scope="session")
def app_db_url(pg_server_url: str) -> Iterator[str]:
    """A migrated app database, fresh for this test session."""
    from speaking_pipeline.db.migrate import upgrade

    url = create_database(pg_server_url, "sp_test")
    upgrade(url)
    yield url
    drop_database(pg_server_url, url)


@pytest.fixture
def fresh_db_url(pg_server_url: str) -> Iterator[str]:
    """A migrated app database of its own, for tests that need an empty one."""
    from speaking_pipeline.db.migrate import upgrade

    url = create_database(pg_server_url, "sp_fresh")
    upgrade(url)
    yield url
    drop_database(pg_server_url, url)


@pytest.fixture
def dagster_db_url(pg_server_url: str) -> Iterator[str]:
    """An empty database for Dagster's run, event and schedule storage."""
    url = create_database(pg_server_url, "sp_dagster")
    yield url
    drop_database(pg_server_url, url)


@pytest.fixture(scope="session")
def whisper_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packaged Whisper base model, assembled and verified once per test run."""
    from speaking_pipeline.transcription.model_files import ensure_whisper_base

    return ensure_whisper_base(tmp_path_factory.mktemp("whisper") / "whisper-base")
