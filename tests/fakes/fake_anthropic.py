"""A local server answering like the Anthropic Messages API (POST /v1/messages).

Auth header, required `anthropic-version`, tool-use content blocks, usage and error bodies
follow the real API, so the official `anthropic` SDK runs against it unmodified.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.server import RecordedRequest, serve


@dataclass
class ToolReply:
    input: Any
    text_before: str | None = None


@dataclass
class TextReply:
    text: str
    stop_reason: str = "end_turn"


@dataclass
class ErrorReply:
    status: int
    type: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)


Reply = ToolReply | TextReply | ErrorReply


def rate_limited() -> ErrorReply:
    return ErrorReply(
        429,
        "rate_limit_error",
        "This request would exceed the rate limit for your organization of 50 requests per "
        "minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.",
        {"retry-after": "1"},
    )


def overloaded() -> ErrorReply:
    return ErrorReply(529, "overloaded_error", "Overloaded")


class FakeAnthropic:
    def __init__(self, api_key: str = "sk-ant-test-0123456789") -> None:
        self.api_key = api_key
        self.base_url = ""
        self.requests: list[RecordedRequest] = []
        self.replies: list[Reply] = []

    def reply_tool(self, tool_input: Any, *, text_before: str | None = None) -> None:
        self.replies.append(ToolReply(tool_input, text_before))

    def reply_text(self, text: str, *, stop_reason: str = "end_turn") -> None:
        self.replies.append(TextReply(text, stop_reason))

    def fail_next(self, *errors: ErrorReply) -> None:
        self.replies[:0] = list(errors)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/messages", self._messages, methods=["POST"])])

    async def _messages(self, request: Request) -> Response:
        body = await request.body()
        recorded = RecordedRequest(
            method=request.method,
            path=request.url.path,
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
        )
        self.requests.append(recorded)
        # The API takes the key as `x-api-key` or, as newer SDKs send it, a bearer token.
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        if self.api_key not in (request.headers.get("x-api-key"), bearer):
            return _error(ErrorReply(401, "authentication_error", "invalid x-api-key"))
        if not request.headers.get("anthropic-version"):
            return _error(
                ErrorReply(400, "invalid_request_error", "anthropic-version: header is required")
            )
        try:
            payload = json.loads(body)
        except ValueError:
            return _error(ErrorReply(400, "invalid_request_error", "invalid JSON body"))
        recorded.json = payload
        problem = _request_problem(payload)
        if problem:
            return _error(ErrorReply(400, "invalid_request_error", problem))
        if not self.replies:
            return _error(ErrorReply(400, "invalid_request_error", "fake: no scripted reply left"))
        reply = self.replies.pop(0)
        if isinstance(reply, ErrorReply):
            return _error(reply)
        content: list[dict[str, Any]] = []
        if isinstance(reply, TextReply):
            content.append({"type": "text", "text": reply.text})
            stop_reason = reply.stop_reason
        else:
            if reply.text_before:
                content.append({"type": "text", "text": reply.text_before})
            choice = payload.get("tool_choice") or {}
            tools = payload.get("tools") or [{"name": "tool"}]
            name = choice.get("name") or tools[0]["name"]
            content.append(
                {
                    "type": "tool_use",
                    "id": f"toolu_{uuid.uuid4().hex[:24]}",
                    "name": name,
                    "input": reply.input,
                }
            )
            stop_reason = "tool_use"
        return JSONResponse(
            {
                "id": f"msg_{uuid.uuid4().hex[:24]}",
                "type": "message",
                "role": "assistant",
                "model": payload["model"],
                "content": content,
                "stop_reason": stop_reason,
                "stop_sequence": None,
                "usage": {
                    "input_tokens": max(1, len(body) // 4),
                    "cache_creation_input_tokens": 0,
                    "cache_read_input_tokens": 0,
                    "output_tokens": max(1, len(json.dumps(content)) // 4),
                    "service_tier": "standard",
                },
            },
            headers=_headers(),
        )


def _request_problem(payload: dict[str, Any]) -> str | None:
    """The validation errors the real API reports for the shapes our client could get wrong."""
    for required in ("model", "max_tokens", "messages"):
        if required not in payload:
            return f"{required}: Field required"
    tools = payload.get("tools") or []
    names = [t.get("name") for t in tools]
    for i, tool in enumerate(tools):
        schema = tool.get("input_schema")
        if not isinstance(schema, dict) or schema.get("type") != "object":
            return f"tools.{i}.custom.input_schema: JSON schema is invalid"
    choice = payload.get("tool_choice")
    if choice and choice.get("type") == "tool" and choice.get("name") not in names:
        return f"tool_choice.name: Tool '{choice.get('name')}' not found in tools"
    messages = payload["messages"]
    if not messages or messages[0].get("role") != "user":
        return 'messages: first message must use the "user" role'
    for i, message in enumerate(messages):
        content = message.get("content")
        blocks = content if isinstance(content, list) else []
        tool_ids = [b["id"] for b in blocks if b.get("type") == "tool_use"]
        if not tool_ids:
            continue
        following = messages[i + 1] if i + 1 < len(messages) else None
        results: list[str] = []
        if following and isinstance(following.get("content"), list):
            results = [
                b.get("tool_use_id", "")
                for b in following["content"]
                if b.get("type") == "tool_result"
            ]
        missing = [t for t in tool_ids if t not in results]
        if missing and following is not None:
            return (
                f"messages.{i + 1}: `tool_use` ids were found without `tool_result` blocks "
                f"immediately after: {', '.join(missing)}. Each `tool_use` block must have a "
                "corresponding `tool_result` block in the next message."
            )
    return None


def _headers() -> dict[str, str]:
    return {"request-id": f"req_{uuid.uuid4().hex[:24]}", "anthropic-organization-id": "org-fake"}


def _error(error: ErrorReply) -> JSONResponse:
    return JSONResponse(
        {
            "type": "error",
            "error": {"type": error.type, "message": error.message},
            "request_id": f"req_{uuid.uuid4().hex[:24]}",
        },
        status_code=error.status,
        headers={**_headers(), **error.headers},
    )


@contextmanager
def running(api_key: str = "sk-ant-test-0123456789") -> Iterator[FakeAnthropic]:
    fake = FakeAnthropic(api_key)
    with serve(fake.app()) as url:
        fake.base_url = url
        yield fake
