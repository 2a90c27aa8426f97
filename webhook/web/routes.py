"""Routes of the web app: the single page for every app path, static files, /openapi.json, /docs."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from webhook.openapi import openapi_document

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

# Pages are rendered in the browser from the JSON API; the server only hands out the shell.
# The shell is the same for every path, so a reload or a shared session link works.
PAGE_PATHS = ["/", "/history", "/progress", "/sessions/{session_id}"]

# The shell may change on any deploy, and it references the scripts; never serve a stale one.
_NO_STORE = {"cache-control": "no-store"}


async def page(request: Request) -> Response:
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html", headers=_NO_STORE)


async def docs(request: Request) -> Response:
    return FileResponse(STATIC_DIR / "docs.html", media_type="text/html", headers=_NO_STORE)


async def openapi_json(request: Request) -> JSONResponse:
    return JSONResponse(openapi_document())


routes = [
    *(Route(path, page, methods=["GET"]) for path in PAGE_PATHS),
    Route("/openapi.json", openapi_json, methods=["GET"]),
    Route("/docs", docs, methods=["GET"]),
    Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
]
