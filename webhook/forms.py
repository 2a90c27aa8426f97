"""Pydantic models of the API's query and form fields: odd input is a 400, never a 500."""

from __future__ import annotations

import math
import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from starlette.datastructures import FormData, QueryParams

from speaking_pipeline.domain.ids import is_session_id
from speaking_pipeline.providers import transcribable_language
from webhook.errors import ApiError

MAX_TOPIC = 500
MAX_DURATION_SECS = 6 * 3600
_ASCII_NUMBER = re.compile(r"^[0-9]+(\.[0-9]+)?$|^\.[0-9]+$")
_ASCII_INT = re.compile(r"^[0-9]{1,9}$")
_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
# Control characters other than tab and newlines cannot be stored (NUL) or mean nothing.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(value: str) -> bool:
    return _CONTROL.search(value) is not None


class UploadFields(BaseModel):
    """The text fields of `POST /api/sessions` next to the `audio` file."""

    model_config = ConfigDict(extra="ignore")

    duration: float
    language: str = "en"
    topic: str | None = None

    @field_validator("duration", mode="before")
    @classmethod
    def _duration(cls, raw: object) -> float:
        text = raw.strip() if isinstance(raw, str) else ""
        if not _ASCII_NUMBER.match(text):
            raise ValueError("duration must be a number of seconds")
        value = float(text)
        if not math.isfinite(value) or value <= 0 or value > MAX_DURATION_SECS:
            raise ValueError(f"duration must be between 0 and {MAX_DURATION_SECS} seconds")
        return value

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, raw: object) -> str:
        if raw is None or raw == "":
            return "en"
        text = raw.strip() if isinstance(raw, str) else ""
        if not _LANGUAGE_TAG.match(text):
            raise ValueError("language must be a code such as 'en' or 'en-GB'")
        if not transcribable_language(text):
            raise ValueError(f"language {text!r} is not one the transcriber supports")
        return text

    @field_validator("topic", mode="before")
    @classmethod
    def _topic(cls, raw: object) -> str | None:
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise ValueError("topic must be text")
        text = raw.strip()
        if has_control_characters(text):
            raise ValueError("topic must not contain control characters")
        if len(text) > MAX_TOPIC:
            raise ValueError(f"topic must be at most {MAX_TOPIC} characters")
        return text or None


_UPLOAD_CODES = {
    "duration": "INVALID_DURATION",
    "language": "INVALID_LANGUAGE",
    "topic": "INVALID_TOPIC",
}


def upload_fields(form: FormData) -> UploadFields:
    if form.get("duration") is None:
        raise ApiError(400, "INVALID_DURATION", "duration is required (seconds)")
    try:
        return UploadFields.model_validate({k: form.get(k) for k in _UPLOAD_CODES})
    except ValidationError as error:
        raise _bad_input(error, _UPLOAD_CODES, "INVALID_REQUEST") from None


def _ascii_int(raw: object) -> object:
    if isinstance(raw, str) and not _ASCII_INT.match(raw):
        # int() would take "٥" or "²" for digits; only ASCII digits are numbers here.
        raise ValueError("must be a whole number written with the digits 0-9")
    return raw


class PageQuery(BaseModel):
    """`?page=&limit=` of `GET /api/sessions`."""

    model_config = ConfigDict(extra="ignore")

    page: Annotated[int, Field(ge=1, le=100_000)] = 1
    limit: Annotated[int, Field(ge=1, le=100)] = 10

    _check_page = field_validator("page", "limit", mode="before")(_ascii_int)


def page_query(params: QueryParams) -> PageQuery:
    try:
        return PageQuery.model_validate({k: params[k] for k in ("page", "limit") if k in params})
    except ValidationError as error:
        raise _bad_input(
            error, {}, "INVALID_QUERY", limits={"page": 100_000, "limit": 100}
        ) from None


def session_id_param(raw: str) -> str | None:
    """The path's session id, or None when it cannot name a session (then: 404)."""
    return raw if is_session_id(raw) else None


def _bad_input(
    error: ValidationError,
    codes: dict[str, str],
    default_code: str,
    limits: dict[str, int] | None = None,
) -> ApiError:
    first = error.errors()[0]
    field = str(first["loc"][0]) if first.get("loc") else ""
    if limits and field in limits:
        message = f"{field} must be an integer from 1 to {limits[field]}"
    else:
        detail = str(first.get("msg", "is invalid")).removeprefix("Value error, ")
        message = detail if detail.startswith(field) else f"{field}: {detail}"
    return ApiError(400, codes.get(field, default_code), message)
