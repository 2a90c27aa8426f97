"""The caller's pattern profile."""

from __future__ import annotations

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from speaking_pipeline.db import repository as repo
from speaking_pipeline.db.engine import session_scope
from speaking_pipeline.db.models import PatternProfile
from webhook.auth import learner_id
from webhook.deps import deps
from webhook.serializers import profile_json


async def get_profile(request: Request) -> JSONResponse:
    d = deps(request)
    external_id = learner_id(request)

    def query() -> dict[str, object]:
        with session_scope(d.db_url) as db:
            user = repo.find_user(db, external_id)
            profile = (
                db.scalar(select(PatternProfile).where(PatternProfile.user_id == user.id))
                if user
                else None
            )
            return profile_json(profile)

    return JSONResponse(await run_in_threadpool(query))


routes = [Route("/api/profile", get_profile, methods=["GET"])]
