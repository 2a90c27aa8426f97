"""Sessions API: upload, list, detail and delete of a learner's own sessions."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from speaking_pipeline.audio.probe import AudioInfo, InvalidAudioError, probe_audio, sniff_extension
from speaking_pipeline.pipeline import sessions as use_cases
from webhook.auth import learner_id
from webhook.deps import deps
from webhook.errors import ApiError
from webhook.forms import page_query, session_id_param, upload_fields
from webhook.serializers import session_detail, session_summary
from webhook.uploads import read_upload


def _probe(path: Path) -> AudioInfo:
    with path.open("rb") as f:
        head = f.read(64)
    if sniff_extension(head) is None:
        raise ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "the file is not a recognised audio format")
    try:
        return probe_audio(path)
    except InvalidAudioError as error:
        raise ApiError(400, "INVALID_AUDIO", str(error)) from error


async def create_session(request: Request) -> JSONResponse:
    d = deps(request)
    external_id = learner_id(request)
    form = await read_upload(request, d.settings.max_upload_bytes)
    fields = upload_fields(form.fields)
    duration, language, topic = fields.duration, fields.language, fields.topic
    with tempfile.TemporaryDirectory(prefix="upload-") as tmp:
        path = Path(tmp) / "audio"
        await form.audio.seek(0)
        with path.open("wb") as out:
            await run_in_threadpool(shutil.copyfileobj, form.audio.file, out)
        await form.audio.close()
        info = await run_in_threadpool(_probe, path)
        session = await run_in_threadpool(
            lambda: use_cases.create_session(
                d.services,
                external_id,
                path,
                info,
                duration=duration,
                language=language,
                topic=topic,
            )
        )
    return JSONResponse(
        {
            "id": session.id,
            "status": session.status.value,
            "createdAt": session.created_at.isoformat(),
            "estimatedWaitSecs": max(10, round(duration * 0.3) + 10),
        },
        status_code=201,
    )


async def list_sessions(request: Request) -> JSONResponse:
    d = deps(request)
    external_id = learner_id(request)
    query_args = page_query(request.query_params)
    page, limit = query_args.page, query_args.limit

    def query() -> dict[str, object]:
        rows, total = d.repo.owned_sessions(external_id, page=page, limit=limit)
        return {
            "sessions": [session_summary(s) for s in rows],
            "total": total,
            "page": page,
            "limit": limit,
        }

    return JSONResponse(await run_in_threadpool(query))


def _not_found() -> ApiError:
    return ApiError(404, "SESSION_NOT_FOUND", "session not found")


async def get_session(request: Request) -> JSONResponse:
    d = deps(request)
    external_id = learner_id(request)
    session_id = session_id_param(request.path_params["session_id"])
    if session_id is None:
        raise _not_found()

    def query() -> dict[str, object]:
        session = d.repo.owned_session(external_id, session_id)
        if session is None:
            raise _not_found()
        return session_detail(session)

    return JSONResponse(await run_in_threadpool(query))


async def delete_session(request: Request) -> JSONResponse:
    d = deps(request)
    external_id = learner_id(request)
    session_id = session_id_param(request.path_params["session_id"])
    if session_id is None:
        raise _not_found()

    deleted = await run_in_threadpool(use_cases.delete_session, d.services, external_id, session_id)
    if not deleted:
        raise _not_found()
    return JSONResponse({"ok": True})


routes = [
    Route("/api/sessions", create_session, methods=["POST"]),
    Route("/api/sessions", list_sessions, methods=["GET"]),
    Route("/api/sessions/{session_id}", get_session, methods=["GET"]),
    Route("/api/sessions/{session_id}", delete_session, methods=["DELETE"]),
]
