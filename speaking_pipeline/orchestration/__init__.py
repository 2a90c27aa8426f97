"""The Dagster instance seen from outside the code location: its configuration
(`instance`), the partition calls the API makes (`partitions`) and `up`'s maintenance."""

from speaking_pipeline.orchestration.instance import (
    DAGSTER_PG_URL_ENV,
    instance_at,
    instance_config,
    prepare_dagster_home,
)
from speaking_pipeline.orchestration.maintenance import (
    PROVIDER_POOLS,
    fail_orphaned_runs,
    initialize_pools,
)
from speaking_pipeline.orchestration.partitions import DagsterSessionPartitions

__all__ = [
    "DAGSTER_PG_URL_ENV",
    "PROVIDER_POOLS",
    "DagsterSessionPartitions",
    "fail_orphaned_runs",
    "initialize_pools",
    "instance_at",
    "instance_config",
    "prepare_dagster_home",
]
