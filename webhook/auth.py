"""Bearer-token authentication of learners."""

from __future__ import annotations

from starlette.requests import Request

from speaking_pipeline.security.tokens import TokenError, verify_token
from webhook.deps import deps
from webhook.errors import ApiError


def learner_id(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "UNAUTHORIZED", "a bearer token is required")
    try:
        return verify_token(token.strip(), deps(request).settings)
    except TokenError as error:
        raise ApiError(401, "UNAUTHORIZED", str(error)) from error
