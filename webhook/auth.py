"""Bearer-token authentication of learners."""

from __future__ import annotations

from starlette.requests import Request

from speaking_pipeline.security.tokens import TokenError, verify_token
from webhook.deps import deps
from webhook.errors import ApiError
from webhook.forms import has_control_characters

# users.external_id is VARCHAR(255).
MAX_SUBJECT = 255


def learner_id(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "UNAUTHORIZED", "a bearer token is required")
    try:
        subject = verify_token(token.strip(), deps(request).settings)
    except TokenError as error:
        raise ApiError(401, "UNAUTHORIZED", str(error)) from error
    # The subject becomes users.external_id: it must fit the column and be storable text.
    if len(subject) > MAX_SUBJECT or has_control_characters(subject):
        raise ApiError(
            401,
            "UNAUTHORIZED",
            f"the token's subject must be at most {MAX_SUBJECT} characters, with no control "
            "characters",
        )
    return subject
