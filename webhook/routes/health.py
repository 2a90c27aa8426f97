"""Liveness and readiness: the database answers."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from webhook.deps import deps


async def healthz(request: Request) -> JSONResponse:
    d = deps(request)

    ok = await run_in_threadpool(d.repo.ping)
    return JSONResponse(
        {
            "ok": ok,
            "database": "up" if ok else "down",
            "queue": d.services.queue.name,
            "storage": d.services.store.backend,
        },
        status_code=200 if ok else 503,
    )


routes = [Route("/healthz", healthz, methods=["GET"])]
