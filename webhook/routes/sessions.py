"""Sessions API: upload, list, detail and delete of a learner's own sessions."""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from speaking_pipeline.audio.probe import AudioInfo, InvalidAudioError, probe_audio, sniff_extension
from speaking_pipeline.db import repository as repo
from speaking_pipeline.db.engine import session_scope
from speaking_pipeline.db.models import SessionStatus, SpeakingSession
from speaking_pipeline.orchestration import register_uploaded_audio, remove_session_partition
from speaking_pipeline.storage.base import audio_key
from webhook.auth import learner_id
from webhook.deps import AppDeps, deps
from webhook.errors import ApiError
from webhook.forms import page_query, session_id_param, upload_fields
from webhook.serializers import session_detail, session_summary
from webhook.uploads import read_upload

logger = logging.getLogger(__name__)


def _probe(path: Path) -> AudioInfo:
    with path.open("rb") as f:
        head = f.read(64)
    if sniff_extension(head) is None:
        raise ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "the file is not a recognised audio format")
    try:
        return probe_audio(path)
    except InvalidAudioError as error:
        raise ApiError(400, "INVALID_AUDIO", str(error)) from error


def _store_session(
    d: AppDeps,
    external_id: str,
    path: Path,
    info: AudioInfo,
    duration: float,
    language: str,
    topic: str | None,
) -> SpeakingSession:
    with session_scope(d.db_url) as db:
        user = repo.get_or_create_user(db, external_id)
        session = SpeakingSession(
            user_id=user.id,
            status=SessionStatus.CREATED,
            # The decoded length beats the client's claim; the claim covers undecodable lengths.
            duration_secs=info.duration_secs or duration,
            language=language,
            topic=topic,
            audio_format=info.extension,
        )
        db.add(session)
        db.flush()
        key = audio_key(user.id, session.id, info.extension)
        # Recorded before the bytes are stored, so an upload cut short can be cleaned up.
        session.audio_url = key
        session_id = session.id
    with path.open("rb") as data:
        d.store.put(key, data, info.mime_type)
    with session_scope(d.db_url) as db:
        stored = db.get(SpeakingSession, session_id)
        assert stored is not None
        stored.status = SessionStatus.UPLOADED
    register_uploaded_audio(
        d.instance,
        session_id,
        audio_format=info.extension,
        size_bytes=path.stat().st_size,
        duration_secs=info.duration_secs,
    )
    try:
        d.queue.enqueue(session_id)
    except Exception as error:
        # The upload is safe in storage and the stuck-session sensor relaunches it; the
        # learner should not be asked to upload again.
        logger.warning(
            "enqueue of %s failed (%s); left for the stuck-session sensor",
            session_id,
            type(error).__name__,
        )
    with session_scope(d.db_url) as db:
        result = db.get(SpeakingSession, session_id)
        assert result is not None
        return result


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
            _store_session, d, external_id, path, info, duration, language, topic
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
        with session_scope(d.db_url) as db:
            user = repo.find_user(db, external_id)
            if user is None:
                return {"sessions": [], "total": 0, "page": page, "limit": limit}
            rows, total = repo.list_sessions(db, user, page=page, limit=limit)
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
        with session_scope(d.db_url) as db:
            user = repo.find_user(db, external_id)
            session = repo.owned_session(db, user, session_id) if user else None
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

    def remove() -> None:
        with session_scope(d.db_url) as db:
            user = repo.find_user(db, external_id)
            session = repo.owned_session(db, user, session_id) if user else None
            if session is None:
                raise _not_found()
            key = session.audio_url if session.audio_deleted_at is None else None
            user_id = session.user_id
            db.delete(session)
        if key:
            d.store.delete(key)
        with session_scope(d.db_url) as db:
            repo.recompute_profile(db, user_id)
        remove_session_partition(d.instance, session_id)

    await run_in_threadpool(remove)
    return JSONResponse({"ok": True})


routes = [
    Route("/api/sessions", create_session, methods=["POST"]),
    Route("/api/sessions", list_sessions, methods=["GET"]),
    Route("/api/sessions/{session_id}", get_session, methods=["GET"]),
    Route("/api/sessions/{session_id}", delete_session, methods=["DELETE"]),
]
