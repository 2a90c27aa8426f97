"""Every learner's pattern profile at once, recomputed from all stored insights."""

from dagster import AssetExecutionContext, MaterializeResult, ResourceParam, asset

from speaking_pipeline.db.repository import Repository
from speaking_pipeline.defs.sessions.assets import PROFILE_CODE_VERSION


@asset(
    group_name="profiles",
    code_version=PROFILE_CODE_VERSION,
    kinds={"postgres"},
)
def learner_profiles(
    context: AssetExecutionContext, database: ResourceParam[Repository]
) -> MaterializeResult[None]:
    """All learners' profiles, recomputed from their stored insights; the per-session
    `pattern_profile` refreshes one learner, this catches up on everything else."""
    user_ids = database.user_ids()
    for user_id in user_ids:
        # One transaction per learner keeps locks short while sessions are processed.
        database.refresh_profile(user_id)
    context.log.info("recomputed %d profiles", len(user_ids))
    return MaterializeResult(metadata={"learners": len(user_ids)})
