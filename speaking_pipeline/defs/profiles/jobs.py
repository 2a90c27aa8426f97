"""A job that recomputes every learner's pattern profile from stored insights."""

from dagster import OpExecutionContext, job, op

from speaking_pipeline.db import repository as repo
from speaking_pipeline.db.engine import session_scope
from speaking_pipeline.defs.resources import DatabaseResource


@op
def recompute_all_profiles(context: OpExecutionContext, database: DatabaseResource) -> int:
    url = database.get_url()
    with session_scope(url) as db:
        user_ids = repo.all_user_ids(db)
    for user_id in user_ids:
        # One transaction per learner keeps locks short while sessions are processed.
        with session_scope(url) as db:
            repo.recompute_profile(db, user_id)
    context.log.info("recomputed %d profiles", len(user_ids))
    return len(user_ids)


@job(description="Recompute every learner's pattern profile from stored insights.")
def recompute_profiles_job() -> None:
    recompute_all_profiles()
