"""The caller's pattern profile."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from webhook.auth import learner_id
from webhook.deps import deps
from webhook.serializers import profile_json


async def get_profile(request: Request) -> JSONResponse:
    d = deps(request)
    external_id = learner_id(request)

    def query() -> dict[str, object]:
        return profile_json(d.repo.profile_of(external_id))

    return JSONResponse(await run_in_threadpool(query))


routes = [Route("/api/profile", get_profile, methods=["GET"])]
