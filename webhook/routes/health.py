"""Liveness and readiness: the database answers."""

from __future__ import annotations

from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from speaking_pipeline.db.engine import engine_for
from webhook.deps import deps


async def healthz(request: Request) -> JSONResponse:
    d = deps(request)

    def ping() -> bool:
        try:
            with engine_for(d.db_url).connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    ok = await run_in_threadpool(ping)
    return JSONResponse(
        {
            "ok": ok,
            "database": "up" if ok else "down",
            "queue": d.queue.name,
            "storage": d.store.backend,
        },
        status_code=200 if ok else 503,
    )


routes = [Route("/healthz", healthz, methods=["GET"])]
