"""The job that materialises every learner's pattern profile from stored insights."""

from dagster import AssetSelection, define_asset_job

from speaking_pipeline.defs.profiles.assets import learner_profiles

recompute_profiles_job = define_asset_job(
    "recompute_profiles_job",
    selection=AssetSelection.assets(learner_profiles),
    description="Recompute every learner's pattern profile from stored insights.",
)
