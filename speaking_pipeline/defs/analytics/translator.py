"""How dbt nodes become Dagster assets: models under an `analytics/` key prefix and group."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

ANALYTICS_GROUP = "analytics"


class AnalyticsTranslator(DagsterDbtTranslator):
    """Sources keep the keys their dbt meta names (`insights`, `transcript`), so the models
    hang below the session pipeline; models get an `analytics/` prefix so that a model can
    never take the key of an app asset."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        key = super().get_asset_key(dbt_resource_props)
        if dbt_resource_props["resource_type"] == "source":
            return key
        return key.with_prefix(ANALYTICS_GROUP)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_group_name(dbt_resource_props)
        return ANALYTICS_GROUP


def analytics_translator() -> AnalyticsTranslator:
    # Several app tables are written by the same asset, so several dbt sources share its key.
    return AnalyticsTranslator(
        settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True)
    )
