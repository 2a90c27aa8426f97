"""QStash delivery endpoint: verify the signature, then record the processing request."""

from __future__ import annotations

import base64
import binascii
import json
import logging

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from speaking_pipeline.domain.ids import is_session_id
from speaking_pipeline.pipeline.intake import Intake, record_delivery_failure, request_processing
from speaking_pipeline.security.qstash_signature import (
    SignatureError,
    VerifiedDelivery,
    verify_qstash_signature,
)
from webhook.deps import deps
from webhook.errors import ApiError

logger = logging.getLogger(__name__)

# QStash stops retrying on 489 with this header; any other non-2xx is retried.
NON_RETRYABLE = {"Upstash-NonRetryable-Error": "true"}
# The API publishes {"sessionId": "<uuid>"}; a failure callback wraps it in base64 with a
# few fields around it. Anything bigger is not ours.
MAX_DELIVERY_BYTES = 16 * 1024


def _secret(value: object) -> str | None:
    getter = getattr(value, "get_secret_value", None)
    return getter() if getter else None


class DeliveryBody(BaseModel):
    """The message the API publishes: `{"sessionId": "<uuid>"}`."""

    model_config = ConfigDict(extra="ignore")

    session_id: str = Field(alias="sessionId", min_length=1, max_length=64)


def _session_id(body: bytes) -> str:
    try:
        payload = DeliveryBody.model_validate_json(body)
    except ValidationError:
        raise ApiError(
            489, "INVALID_BODY", 'the body must be JSON {"sessionId": "<uuid>"}', NON_RETRYABLE
        ) from None
    if not is_session_id(payload.session_id):
        raise ApiError(489, "INVALID_BODY", "sessionId is not a session id", NON_RETRYABLE)
    return payload.session_id


async def _read_capped(request: Request) -> bytes:
    """The body, refused with 413 past MAX_DELIVERY_BYTES while it streams in: nothing
    unsigned gets to fill memory before the signature is checked."""
    declared = request.headers.get("content-length")
    if declared is not None and (
        not declared.isascii() or not declared.isdigit() or int(declared) > MAX_DELIVERY_BYTES
    ):
        raise _too_large()
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > MAX_DELIVERY_BYTES:
            raise _too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> ApiError:
    return ApiError(413, "BODY_TOO_LARGE", f"a delivery body is at most {MAX_DELIVERY_BYTES} bytes")


def _log_delivery(request: Request, route: str, outcome: str) -> None:
    # QStash's message id and retry count let an operator follow one message through its
    # retries; the session id is an internal id, no learner text.
    logger.info(
        "%s: message %s, retried %s: %s",
        route,
        _header_token(request, "upstash-message-id"),
        _header_token(request, "upstash-retried"),
        outcome,
    )


def _header_token(request: Request, name: str) -> str:
    value = request.headers.get(name, "-")
    # Headers are client input: keep them to a short printable token in the log.
    return value[:80] if value.isascii() and value.isprintable() else "(unprintable)"


async def _verified_body(request: Request, expected_url: str) -> tuple[bytes, VerifiedDelivery]:
    """The raw body, once its QStash signature is verified for `expected_url`."""
    settings = deps(request).settings
    # The signature covers the exact bytes, so read them raw, once.
    body = await _read_capped(request)
    try:
        delivery = verify_qstash_signature(
            signature=request.headers.get("upstash-signature"),
            body=body,
            expected_url=expected_url,
            current_key=_secret(settings.qstash_current_signing_key),
            next_key=_secret(settings.qstash_next_signing_key),
        )
    except SignatureError as error:
        if error.is_configuration_error:
            raise ApiError(500, error.code.value, error.message) from error
        raise ApiError(401, error.code.value, error.message) from error
    return body, delivery


async def process(request: Request) -> JSONResponse:
    d = deps(request)
    body, delivery = await _verified_body(request, d.settings.process_url)
    session_id = _session_id(body)
    receipt = (delivery.jti, delivery.expires_at) if delivery.jti else None
    outcome = await run_in_threadpool(
        lambda: request_processing(d.repo, session_id, receipt=receipt, launcher=d.launcher)
    )
    _log_delivery(request, "process", f"{session_id} {outcome.value}")
    if outcome is Intake.NOT_FOUND:
        raise ApiError(489, "SESSION_NOT_FOUND", "session not found", NON_RETRYABLE)
    if outcome is Intake.NOT_UPLOADED:
        raise ApiError(489, "INVALID_STATE", "the session has no uploaded audio", NON_RETRYABLE)
    # A replayed delivery is answered 200 with its outcome: intake is idempotent, so it did
    # no harm, and any non-2xx would have QStash retry it all the way to its DLQ.
    return JSONResponse({"ok": True, "sessionId": session_id, "outcome": outcome.value})


async def process_failed(request: Request) -> JSONResponse:
    """QStash's failure callback: every delivery attempt of a message failed."""
    d = deps(request)
    body, _ = await _verified_body(request, d.settings.process_failed_url)
    try:
        callback = json.loads(body)
        source = base64.b64decode(callback.get("sourceBody") or "")
    except (json.JSONDecodeError, ValueError, AttributeError, TypeError, binascii.Error):
        raise ApiError(
            489, "INVALID_BODY", "not a QStash failure callback", NON_RETRYABLE
        ) from None
    session_id = _session_id(source)
    status = callback.get("status") if isinstance(callback, dict) else None
    marked = await run_in_threadpool(record_delivery_failure, d.repo, d.services.store, session_id)
    _log_delivery(
        request,
        "process-failed",
        f"{session_id} QStash gave up (last answer: HTTP {status!s:.10}); marked failed: {marked}",
    )
    return JSONResponse({"ok": True, "sessionId": session_id, "markedFailed": marked})


routes = [
    Route("/api/internal/process", process, methods=["POST"]),
    Route("/api/internal/process-failed", process_failed, methods=["POST"]),
]
