"""dagster-dbt's CLI resource, connected to the app database for every dbt invocation."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from dagster import AssetExecutionContext, OpExecutionContext
from dagster_dbt import DagsterDbtTranslator, DbtCliInvocation, DbtCliResource
from dagster_dbt.dbt_manifest import DbtManifestParam
from pydantic import Field

from speaking_pipeline.config import MissingSettingError, Settings
from speaking_pipeline.defs.analytics.project import (
    DEFAULT_ANALYTICS_SCHEMA,
    analytics_project,
    dbt_connection_env,
    dbt_executable,
)

_environ_lock = threading.Lock()


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    # DbtCliResource.cli hands dbt a copy of os.environ and offers no other way to add
    # variables, so they are set for the duration of the call and then restored.
    with _environ_lock:
        saved = {name: os.environ.get(name) for name in values}
        os.environ.update(values)
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


class AnalyticsDbtResource(DbtCliResource):
    """Runs dbt against the app's PostgreSQL: every invocation gets the connection variables
    that `dbt_profiles/profiles.yml` reads, derived from the database URL."""

    database_url: str | None = Field(
        default=None,
        description=(
            "PostgreSQL URL the models read and write. Leave unset in deployments: it then"
            " comes from DATABASE_URL at run time, whereas a URL set here (password included)"
            " is shown in the Dagster UI."
        ),
    )
    analytics_schema: str = Field(
        default=DEFAULT_ANALYTICS_SCHEMA,
        description="Schema dbt builds the models in.",
    )

    def connection_env(self) -> dict[str, str]:
        # As for the app's database resource: the URL is in the run's environment (`up`
        # exports it, the embedded server's too); a resource never starts a server.
        url = self.database_url or Settings().database_url
        if not url:
            raise MissingSettingError("DATABASE_URL", "the dbt analytics")
        return dbt_connection_env(url, schema=self.analytics_schema)

    def cli(
        self,
        args: Sequence[str],
        *,
        raise_on_error: bool = True,
        manifest: DbtManifestParam | None = None,
        dagster_dbt_translator: DagsterDbtTranslator | None = None,
        context: OpExecutionContext | AssetExecutionContext | None = None,
        target_path: Path | None = None,
    ) -> DbtCliInvocation:
        with _environment(self.connection_env()):
            return super().cli(
                args,
                raise_on_error=raise_on_error,
                manifest=manifest,
                dagster_dbt_translator=dagster_dbt_translator,
                context=context,
                target_path=target_path,
            )


def dbt_resource(
    database_url: str | None = None, *, schema: str = DEFAULT_ANALYTICS_SCHEMA
) -> AnalyticsDbtResource:
    """The resource to bind as "dbt". Pass a URL only in tests; deployments leave it unset so
    the URL (and its password) is read from settings at run time instead of resource config."""
    return AnalyticsDbtResource(
        project_dir=str(analytics_project.project_dir),
        profiles_dir=str(analytics_project.profiles_dir),
        dbt_executable=dbt_executable(),
        database_url=database_url,
        analytics_schema=schema,
    )
