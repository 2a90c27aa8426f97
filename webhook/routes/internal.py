"""QStash delivery endpoint: verify the signature, then record the processing request."""

from __future__ import annotations

import base64
import json
import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

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


def _secret(value: object) -> str | None:
    getter = getattr(value, "get_secret_value", None)
    return getter() if getter else None


def _session_id(body: bytes) -> str:
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(489, "INVALID_BODY", "the body is not JSON", NON_RETRYABLE) from None
    session_id = payload.get("sessionId") if isinstance(payload, dict) else None
    if not isinstance(session_id, str) or not session_id.strip():
        raise ApiError(489, "INVALID_BODY", "the body needs a string sessionId", NON_RETRYABLE)
    return session_id


async def _verified_body(request: Request, expected_url: str) -> tuple[bytes, VerifiedDelivery]:
    """The raw body, once its QStash signature is verified for `expected_url`."""
    settings = deps(request).settings
    # The signature covers the exact bytes, so read them raw, once.
    body = await request.body()
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
    if outcome is Intake.REPLAYED:
        raise ApiError(401, "REPLAYED_DELIVERY", "this signed delivery was already accepted")
    if outcome is Intake.NOT_FOUND:
        raise ApiError(489, "SESSION_NOT_FOUND", "session not found", NON_RETRYABLE)
    if outcome is Intake.NOT_UPLOADED:
        raise ApiError(489, "INVALID_STATE", "the session has no uploaded audio", NON_RETRYABLE)
    logger.info("delivery for %s: %s", session_id, outcome.value)
    return JSONResponse({"ok": True, "sessionId": session_id, "outcome": outcome.value})


async def process_failed(request: Request) -> JSONResponse:
    """QStash's failure callback: every delivery attempt of a message failed."""
    d = deps(request)
    body, _ = await _verified_body(request, d.settings.process_failed_url)
    try:
        callback = json.loads(body)
        source = base64.b64decode(callback.get("sourceBody") or "")
    except (json.JSONDecodeError, ValueError, AttributeError):
        raise ApiError(
            489, "INVALID_BODY", "not a QStash failure callback", NON_RETRYABLE
        ) from None
    session_id = _session_id(source)
    status = callback.get("status")
    marked = await run_in_threadpool(
        record_delivery_failure,
        d.repo,
        session_id,
        f"QStash gave up delivering the processing request (last answer: HTTP {status})",
    )
    return JSONResponse({"ok": True, "sessionId": session_id, "markedFailed": marked})


routes = [
    Route("/api/internal/process", process, methods=["POST"]),
    Route("/api/internal/process-failed", process_failed, methods=["POST"]),
]
