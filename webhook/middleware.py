"""ASGI middleware: a read timeout for request bodies, and a 500/503 that logs no request data."""

from __future__ import annotations

import asyncio
import json
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from speaking_pipeline.db.errors import is_unavailable
from webhook.errors import ApiError

logger = logging.getLogger("webhook.errors")

# A client that declared a body and then stopped sending holds a worker slot; this many
# seconds without a byte ends the request with 408.
BODY_READ_TIMEOUT_SECS = 30.0


class BodyReadTimeout:
    def __init__(self, app: ASGIApp, timeout_secs: float = BODY_READ_TIMEOUT_SECS) -> None:
        self.app = app
        self.timeout_secs = timeout_secs

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body_done = False

        async def timed_receive() -> Message:
            nonlocal body_done
            if body_done:
                # After the body, receive() waits for the disconnect: no timeout there.
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.timeout_secs)
            except TimeoutError:
                raise ApiError(
                    408,
                    "REQUEST_TIMEOUT",
                    f"the request body stalled for {self.timeout_secs:.0f} s",
                    {"Connection": "close"},
                ) from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        await self.app(scope, timed_receive, send)


class ErrorShield:
    """Turns an exception that escaped the routes into a JSON 500 (503 while the database
    is unreachable), logging only the exception type, method and path.

    Starlette's own 500 handler re-raises the exception for the server to log, and
    uvicorn's traceback would then carry what the exception holds: SQL parameters with
    topics and learner ids. Catching it here, inside that handler, keeps it out."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            unavailable = is_unavailable(error)
            logger.error(
                "%s %s on %s %s",
                "database unavailable:" if unavailable else "unhandled",
                type(error).__name__,
                scope.get("method", "?"),
                scope.get("path", "?"),
            )
            if started:
                return
            if unavailable:
                status, code = 503, "SERVICE_UNAVAILABLE"
                message = "the service is temporarily unavailable; try again shortly"
                headers = [(b"retry-after", b"5")]
            else:
                status, code, message, headers = 500, "INTERNAL_ERROR", "internal error", []
            body = json.dumps({"error": message, "code": code}).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        *headers,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
