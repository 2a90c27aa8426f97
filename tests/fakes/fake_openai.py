"""A local server answering like the OpenAI API: audio transcriptions and chat completions.

Paths, auth, multipart fields, response JSON and error bodies follow the real API, so the
official `openai` SDK runs against it unmodified (point its `base_url` at ``<url>/v1``).
"""

from __future__ import annotations

import asyncio
import io
import json
import math
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import av
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.server import RecordedRequest, serve

SUPPORTED_FORMATS = ["flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm"]
MAX_FILE_BYTES = 25 * 1024 * 1024
_LANGUAGE_NAMES = {"en": "english", "de": "german", "fr": "french", "es": "spanish"}


@dataclass
class ScriptedError:
    status: int
    message: str
    type: str
    code: str | None = None
    param: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class ChatReply:
    content: str | None
    finish_reason: str = "stop"
    refusal: str | None = None
    prompt_tokens: int = 812
    completion_tokens: int = 301


def rate_limited() -> ScriptedError:
    return ScriptedError(
        429,
        "Rate limit reached for whisper-1 in organization org-test on requests per min (RPM): "
        "Limit 50, Used 50, Requested 1. Please try again in 1.2s.",
        "requests",
        "rate_limit_exceeded",
    )


def server_error() -> ScriptedError:
    return ScriptedError(
        500,
        "The server had an error while processing your request. Sorry about that!",
        "server_error",
    )


class FakeOpenAI:
    """State and behaviour of the fake; `base_url` is set once it is serving."""

    def __init__(
        self, api_key: str = "sk-test-0123456789abcdef", *, max_file_bytes: int = MAX_FILE_BYTES
    ) -> None:
        self.api_key = api_key
        self.max_file_bytes = max_file_bytes
        self.base_url = ""
        self.requests: list[RecordedRequest] = []
        # Scripted errors per path, answered before any normal reply.
        self.errors: dict[str, list[ScriptedError]] = {}
        self.chat_replies: list[ChatReply] = []
        # Transcript text for the n-th successful transcription request (0-based).
        self.transcript_text: Callable[[int], str] = lambda n: f"part {n} of the recording"
        self._transcriptions_done = 0
        # Seconds each transcription takes, so tests can act while runs are mid-step.
        self.transcription_delay_secs = 0.0

    @property
    def api_base(self) -> str:
        return self.base_url + "/v1"

    def fail_next(self, path: str, *errors: ScriptedError) -> None:
        self.errors.setdefault(path, []).extend(errors)

    def reply_chat(self, content: str | None, **kwargs: Any) -> None:
        self.chat_replies.append(ChatReply(content, **kwargs))

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    # -- the ASGI app ------------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/audio/transcriptions", self._transcriptions, methods=["POST"]),
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
            ]
        )

    async def _record(self, request: Request) -> tuple[RecordedRequest, Response | None]:
        body = await request.body()
        recorded = RecordedRequest(
            method=request.method,
            path=request.url.path,
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
        )
        self.requests.append(recorded)
        auth = request.headers.get("authorization", "")
        if auth != f"Bearer {self.api_key}":
            given = auth.removeprefix("Bearer ")
            # The real API echoes a masked form of the key it was given.
            masked = f"{given[:3]}*****{given[-4:]}" if len(given) > 8 else "*****"
            return recorded, _error(
                ScriptedError(
                    401,
                    f"Incorrect API key provided: {masked}. You can find your API key at "
                    "https://platform.openai.com/account/api-keys.",
                    "invalid_request_error",
                    "invalid_api_key",
                )
            )
        scripted = self.errors.get(request.url.path)
        if scripted:
            return recorded, _error(scripted.pop(0))
        return recorded, None

    async def _transcriptions(self, request: Request) -> Response:
        if self.transcription_delay_secs:
            await asyncio.sleep(self.transcription_delay_secs)
        recorded, early = await self._record(request)
        if early is not None:
            return early
        if len(recorded.body) > self.max_file_bytes:
            return _error(
                ScriptedError(
                    413,
                    f"Maximum content size limit ({self.max_file_bytes}) exceeded "
                    f"({len(recorded.body)} bytes read)",
                    "server_error",
                )
            )
        form = await request.form(max_part_size=64 * 1024 * 1024)
        for key in form:
            values = form.getlist(key)
            upload = values[0]
            if isinstance(upload, UploadFile):
                data = await upload.read()
                recorded.files[key] = (
                    upload.filename or "",
                    upload.content_type or "",
                    data,
                )
            else:
                recorded.form[key] = values if key.endswith("[]") else values[0]
        if "file" not in recorded.files:
            return _error(
                ScriptedError(400, "you must provide a file", "invalid_request_error", None, "file")
            )
        model = recorded.form.get("model")
        if not model:
            return _error(
                ScriptedError(
                    400,
                    "you must provide a model parameter",
                    "invalid_request_error",
                    None,
                    "model",
                )
            )
        filename, _ctype, data = recorded.files["file"]
        extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if extension not in SUPPORTED_FORMATS:
            return _error(
                ScriptedError(
                    400,
                    f"Invalid file format. Supported formats: {SUPPORTED_FORMATS}",
                    "invalid_request_error",
                    None,
                    "file",
                )
            )
        response_format = recorded.form.get("response_format", "json")
        if str(model).startswith("gpt-4o") and response_format not in ("json", "text"):
            return _error(
                ScriptedError(
                    400,
                    f"response_format '{response_format}' is not compatible with model "
                    f"'{model}'. Use 'json' or 'text' instead.",
                    "invalid_request_error",
                    "unsupported_value",
                    "response_format",
                )
            )
        duration = _audio_duration(data)
        if duration is None:
            return _error(
                ScriptedError(
                    400,
                    "Audio file might be corrupted or unsupported",
                    "invalid_request_error",
                    "invalid_value",
                    "file",
                )
            )
        if duration < 0.1:
            return _error(
                ScriptedError(
                    400,
                    "Audio file is too short. Minimum audio length is 0.1 seconds.",
                    "invalid_request_error",
                    "audio_too_short",
                    "file",
                )
            )
        text = self.transcript_text(self._transcriptions_done)
        self._transcriptions_done += 1
        usage = {"type": "duration", "seconds": math.ceil(duration)}
        if response_format == "text":
            return Response(text + "\n", media_type="text/plain", headers=_headers())
        if response_format != "verbose_json":
            return JSONResponse({"text": text, "usage": usage}, headers=_headers())
        granularities = recorded.form.get("timestamp_granularities[]", ["segment"])
        language = str(recorded.form.get("language", "en"))
        payload: dict[str, Any] = {
            "task": "transcribe",
            "language": _LANGUAGE_NAMES.get(language, language),
            "duration": round(duration, 2),
            "text": text,
            "usage": usage,
        }
        words = text.split()
        step = duration / max(len(words), 1)
        if "word" in granularities:
            payload["words"] = [
                {
                    "word": w.strip(".,!?"),
                    "start": round(i * step, 2),
                    "end": round((i + 0.8) * step, 2),
                }
                for i, w in enumerate(words)
            ]
        if "segment" in granularities:
            payload["segments"] = [
                {
                    "id": 0,
                    "seek": 0,
                    "start": 0.0,
                    "end": round(duration, 2),
                    "text": " " + text,
                    "tokens": list(range(50364, 50364 + len(words))),
                    "temperature": 0.0,
                    "avg_logprob": -0.21,
                    "compression_ratio": 1.3,
                    "no_speech_prob": 0.01,
                }
            ]
        return JSONResponse(payload, headers=_headers())

    async def _chat(self, request: Request) -> Response:
        recorded, early = await self._record(request)
        if early is not None:
            return early
        try:
            body = json.loads(recorded.body)
        except ValueError:
            return _error(
                ScriptedError(
                    400,
                    "We could not parse the JSON body of your request.",
                    "invalid_request_error",
                )
            )
        recorded.json = body
        for required in ("model", "messages"):
            if required not in body:
                return _error(
                    ScriptedError(
                        400,
                        f"Missing required parameter: '{required}'.",
                        "invalid_request_error",
                        "missing_required_parameter",
                        required,
                    )
                )
        response_format = body.get("response_format") or {}
        if response_format.get("type") == "json_schema":
            spec = response_format.get("json_schema", {})
            if spec.get("strict"):
                problem = strict_schema_problem(spec.get("schema", {}))
                if problem:
                    return _error(
                        ScriptedError(
                            400,
                            f"Invalid schema for response_format '{spec.get('name')}': {problem}",
                            "invalid_request_error",
                            "invalid_json_schema",
                            "response_format",
                        )
                    )
        if not self.chat_replies:
            return _error(
                ScriptedError(400, "fake: no scripted chat reply left", "invalid_request_error")
            )
        reply = self.chat_replies.pop(0)
        return JSONResponse(
            {
                "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "message": {
                            "role": "assistant",
                            "content": reply.content,
                            "refusal": reply.refusal,
                            "annotations": [],
                        },
                        "logprobs": None,
                        "finish_reason": reply.finish_reason,
                    }
                ],
                "usage": {
                    "prompt_tokens": reply.prompt_tokens,
                    "completion_tokens": reply.completion_tokens,
                    "total_tokens": reply.prompt_tokens + reply.completion_tokens,
                    "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                    "completion_tokens_details": {
                        "reasoning_tokens": 0,
                        "audio_tokens": 0,
                        "accepted_prediction_tokens": 0,
                        "rejected_prediction_tokens": 0,
                    },
                },
                "service_tier": "default",
                "system_fingerprint": "fp_fake0001",
            },
            headers=_headers(),
        )


# The JSON-schema keywords OpenAI documents as supported in strict structured outputs.
STRICT_KEYWORDS = {
    "type", "properties", "required", "additionalProperties", "items", "enum", "const",
    "anyOf", "description", "title", "$ref", "$defs", "definitions", "pattern", "format",
    "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
    "minItems", "maxItems",
}  # fmt: skip


def strict_schema_problem(
    schema: Any, path: tuple[str, ...] = (), *, is_properties: bool = False
) -> str | None:
    """What OpenAI's strict structured outputs would reject in `schema`, or None."""
    context = repr(path)
    if isinstance(schema, list):
        for item in schema:
            problem = strict_schema_problem(item, path)
            if problem:
                return problem
        return None
    if not isinstance(schema, dict):
        return None
    if is_properties:
        # Keys here are property names, not keywords.
        for name, value in schema.items():
            problem = strict_schema_problem(value, (*path, name))
            if problem:
                return problem
        return None
    for key in schema:
        if key not in STRICT_KEYWORDS:
            return f"In context={context}, '{key}' is not permitted."
    if schema.get("type") == "object" or "properties" in schema:
        if schema.get("additionalProperties") is not False:
            return (
                f"In context={context}, 'additionalProperties' is required to be supplied "
                "and to be false."
            )
        missing = sorted(set(schema.get("properties", {})) - set(schema.get("required", [])))
        if missing:
            return (
                f"In context={context}, 'required' is required to be supplied and to be an "
                f"array including every key in properties. Missing '{missing[0]}'."
            )
    for key, value in schema.items():
        if key in ("properties", "$defs", "definitions"):
            problem = strict_schema_problem(value, (*path, key), is_properties=True)
        elif key in ("items", "anyOf", "additionalProperties"):
            problem = strict_schema_problem(value, (*path, key))
        else:
            continue
        if problem:
            return problem
    return None


def _audio_duration(data: bytes) -> float | None:
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            stream = container.streams.audio[0]
            samples = 0
            rate = stream.codec_context.sample_rate or 16000
            for frame in container.decode(stream):
                samples += frame.samples
            return samples / rate if samples else None
    except (av.error.FFmpegError, IndexError, ValueError):
        return None


def _headers() -> dict[str, str]:
    return {
        "x-request-id": f"req_{uuid.uuid4().hex}",
        "openai-processing-ms": "42",
        "openai-version": "2020-10-01",
    }


def _error(error: ScriptedError) -> JSONResponse:
    return JSONResponse(
        {
            "error": {
                "message": error.message,
                "type": error.type,
                "param": error.param,
                "code": error.code,
            }
        },
        status_code=error.status,
        headers={**_headers(), **error.headers},
    )


@contextmanager
def running(api_key: str = "sk-test-0123456789abcdef", **kwargs: Any) -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(api_key, **kwargs)
    with serve(fake.app()) as url:
        fake.base_url = url
        yield fake
