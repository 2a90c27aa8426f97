"""Streaming multipart parsing with the upload size cap enforced as bytes arrive."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass

from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from webhook.errors import ApiError

# Room for the multipart framing and the small text fields around the file.
FORM_OVERHEAD_BYTES = 64 * 1024


@dataclass
class UploadForm:
    audio: UploadFile
    fields: FormData


def _too_large(limit: int) -> ApiError:
    return ApiError(
        413, "FILE_TOO_LARGE", f"the upload exceeds the {limit // (1024 * 1024)} MB limit"
    )


async def _capped(request: Request, limit: int) -> AsyncGenerator[bytes, None]:
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit + FORM_OVERHEAD_BYTES:
            # Stop reading: a 2 GB body is refused after ~50 MB, not after it all arrived.
            raise _too_large(limit)
        yield chunk


async def read_upload(request: Request, limit: int) -> UploadForm:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise ApiError(
            400,
            "MISSING_AUDIO",
            "the audio file is required: send multipart/form-data with a field 'audio'",
        )
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + FORM_OVERHEAD_BYTES:
        raise _too_large(limit)
    parser = MultiPartParser(request.headers, _capped(request, limit), max_files=1, max_fields=10)
    try:
        form = await parser.parse()
    except MultiPartException as error:
        raise ApiError(
            400, "INVALID_REQUEST", f"malformed multipart body: {error.message}"
        ) from error
    audio = form.get("audio")
    if not isinstance(audio, UploadFile):
        raise ApiError(400, "MISSING_AUDIO", "the audio file is required (form field 'audio')")
    if audio.size is not None and audio.size > limit:
        raise _too_large(limit)
    return UploadForm(audio=audio, fields=form)
