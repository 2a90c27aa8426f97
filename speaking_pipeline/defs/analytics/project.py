"""The analysts' dbt project: where it lives, how dbt reaches the app database, its manifest."""

from __future__ import annotations

import getpass
import logging
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from filelock import FileLock

from speaking_pipeline.db.urls import connection_parts

logger = logging.getLogger(__name__)

DBT_PROJECT_DIR = Path(__file__).resolve().parents[3] / "dbt_profiles"
DEFAULT_ANALYTICS_SCHEMA = "analytics"
# dbt scrubs the values of DBT_ENV_SECRET_* variables from its logs and artifacts.
PASSWORD_ENV = "DBT_ENV_SECRET_SP_DBT_PASSWORD"

analytics_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_connection_env(
    database_url: str, *, schema: str = DEFAULT_ANALYTICS_SCHEMA
) -> dict[str, str]:
    """The environment variables `dbt_profiles/profiles.yml` reads, for one PostgreSQL URL.

    Accepts `postgresql://user:pass@host:port/db` and the socket form
    `postgresql://user:@/db?host=/socket/dir` (libpq, and so dbt-postgres, takes a directory
    as host). Percent-encoded parts are decoded."""
    url = connection_parts(database_url)
    host = url.host or url.query.get("host") or "localhost"
    port = url.port or url.query.get("port") or 5432
    user = url.user or getpass.getuser()
    env = {
        "SP_DBT_HOST": host,
        "SP_DBT_PORT": str(port),
        "SP_DBT_USER": user,
        PASSWORD_ENV: url.password or "",
        # libpq's own default when a URL names no database.
        "SP_DBT_DBNAME": url.database or user,
        "SP_DBT_SCHEMA": schema,
    }
    sslmode = url.query.get("sslmode")
    if sslmode:
        env["SP_DBT_SSLMODE"] = sslmode
    return env


def dbt_executable() -> str:
    """The dbt installed next to this interpreter: Dagster's processes may not have the
    virtualenv's bin directory on PATH, and dagster-dbt looks dbt up there by default."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def _project_files(project: DbtProject) -> list[Path]:
    root = project.project_dir
    files = [root / "dbt_project.yml"]
    for folder in ("models", "tests", "macros", "seeds", "snapshots", "analyses"):
        if (root / folder).is_dir():
            files.extend(p for p in (root / folder).rglob("*") if p.is_file())
    return files


def manifest_is_stale(project: DbtProject = analytics_project) -> bool:
    """True when the manifest is missing or older than any file of the project."""
    if not project.manifest_path.exists():
        return True
    built = project.manifest_path.stat().st_mtime
    return any(path.stat().st_mtime > built for path in _project_files(project))


def prepare_manifest(project: DbtProject = analytics_project, *, force: bool = False) -> Path:
    """Run `dbt parse` so that the manifest matches the project; needs no database.

    The webserver and the daemon load the code location at the same time, so a file lock
    makes one of them parse while the other waits and then finds the manifest fresh."""
    project.manifest_path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(project.manifest_path.with_suffix(".lock")), timeout=120):
        if force or manifest_is_stale(project):
            logger.info("parsing the dbt project at %s", project.project_dir)
            # A plain CLI resource: parsing must not depend on DATABASE_URL being set.
            DbtCliResource(project_dir=project, dbt_executable=dbt_executable()).cli(
                ["parse", "--quiet"], target_path=project.target_path
            ).wait()
    return project.manifest_path
