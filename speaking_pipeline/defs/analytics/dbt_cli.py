"""Runs the dbt CLI on the analytics project against the app database, for analysts' ad-hoc use."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence

from speaking_pipeline.defs.analytics.project import analytics_project, dbt_executable
from speaking_pipeline.defs.analytics.resources import dbt_resource

USAGE = """usage: python -m speaking_pipeline.defs.analytics.dbt_cli DBT_ARGS...

Runs dbt with the project in dbt_profiles/ and the database Dagster uses (DATABASE_URL, or the
embedded server under DATA_DIR). Examples: `show --select learner_progress`, `build --select
my_model`, `compile`. Scheduled and UI runs go through Dagster; use this to try a model out."""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"}:
        print(USAGE)
        return 0 if args else 2
    env = {
        **os.environ,
        **dbt_resource().connection_env(),
        "DBT_PROJECT_DIR": str(analytics_project.project_dir),
        "DBT_PROFILES_DIR": str(analytics_project.profiles_dir),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    return subprocess.call([dbt_executable(), *args], env=env)


if __name__ == "__main__":
    sys.exit(main())
