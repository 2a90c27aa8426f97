"""The OpenAPI 3.1 description of the HTTP API and the web app's pages, served at /openapi.json.

Written out rather than generated: the routes are plain Starlette functions with hand-made
validation, so there is nothing a generator could read the fields and error codes from. A
test checks that every route of the app is described and that the document validates."""

from __future__ import annotations

from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from speaking_pipeline.security.qstash_signature import SignatureErrorCode

JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _error(description: str, *codes: str) -> dict[str, Any]:
    """An error response; `codes` are the `code` values it can carry."""
    schema: dict[str, Any] = _ref("Error")
    if codes:
        schema = {
            "allOf": [
                _ref("Error"),
                {"type": "object", "properties": {"code": {"enum": list(codes)}}},
            ]
        }
    return _json(schema, description + (f" (code: {', '.join(codes)})" if codes else ""))


_UNAUTHORIZED = _error("No bearer token, or one that is not valid", "UNAUTHORIZED")
_NOT_FOUND = _error("No such session, or it belongs to another learner", "SESSION_NOT_FOUND")
_INTERNAL = _error("Unexpected server error (logged as type and path only)", "INTERNAL_ERROR")
_UNAVAILABLE = _error(
    "The database is unreachable for now; try again after Retry-After seconds",
    "SERVICE_UNAVAILABLE",
)
_BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
_SESSION_ID = {
    "name": "session_id",
    "in": "path",
    "required": True,
    "description": "The session's id, as returned by POST /api/sessions",
    "schema": {"type": "string"},
}
_HTML_PAGE = {"description": "The web app's HTML shell", "content": {"text/html": {}}}


def _page(summary: str, parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "tags": ["web app"],
        "summary": summary,
        "description": "Renders in the browser from the JSON API; sign-in is in the page.",
        "responses": {"200": _HTML_PAGE},
    }
    if parameters:
        operation["parameters"] = parameters
    return {"get": operation}


_NULLABLE_STR = {"type": ["string", "null"]}
_NULLABLE_NUM = {"type": ["number", "null"]}
_TIME = {"type": "string", "format": "date-time"}
_NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
_STATUS = {
    "type": "string",
    "enum": ["CREATED", "UPLOADED", "TRANSCRIBING", "ANALYZING", "DONE", "FAILED"],
}
_TREND = {"type": ["string", "null"], "enum": ["improving", "steady", "worsening", None]}

_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "code"],
        "properties": {
            "error": {"type": "string", "description": "What is wrong, for a person"},
            "code": {"type": "string", "description": "Stable machine-readable code"},
        },
    },
    "SessionCreated": {
        "type": "object",
        "required": ["id", "status", "createdAt", "estimatedWaitSecs"],
        "properties": {
            "id": {"type": "string"},
            "status": _STATUS,
            "createdAt": _TIME,
            "estimatedWaitSecs": {"type": "integer"},
        },
    },
    "SessionSummary": {
        "type": "object",
        "required": ["id", "status", "durationSecs", "language", "topic", "createdAt"],
        "properties": {
            "id": {"type": "string"},
            "status": _STATUS,
            "durationSecs": _NULLABLE_NUM,
            "language": {"type": "string"},
            "topic": _NULLABLE_STR,
            "createdAt": _TIME,
            "updatedAt": _NULLABLE_TIME,
        },
    },
    "SessionList": {
        "type": "object",
        "required": ["sessions", "total", "page", "limit"],
        "properties": {
            "sessions": {"type": "array", "items": _ref("SessionSummary")},
            "total": {"type": "integer"},
            "page": {"type": "integer"},
            "limit": {"type": "integer"},
        },
    },
    "Word": {
        "type": "object",
        "properties": {
            "word": {"type": "string"},
            "start": {"type": "number"},
            "end": {"type": "number"},
        },
    },
    "Transcript": {
        "type": "object",
        "required": ["text", "wordCount", "language"],
        "properties": {
            "text": {"type": "string"},
            "wordCount": {"type": "integer"},
            "language": _NULLABLE_STR,
            "words": {"type": ["array", "null"], "items": _ref("Word")},
        },
    },
    "Insight": {
        "type": "object",
        "required": [
            "code",
            "category",
            "pattern",
            "detail",
            "frequency",
            "severity",
            "examples",
            "suggestion",
        ],
        "properties": {
            "id": {"type": "string"},
            "code": {
                "type": "string",
                "description": "Taxonomy code, e.g. grammar.past_tense; other.<slug> outside it",
            },
            "category": {"type": "string", "enum": ["grammar", "vocabulary", "structure"]},
            "pattern": {"type": "string", "description": "Human name of the pattern"},
            "detail": {"type": "string"},
            "frequency": {"type": "integer", "minimum": 1},
            "severity": {"type": "string", "enum": ["high", "medium", "low"]},
            "examples": {
                "type": "array",
                "items": {"type": "string"},
                "description": "2–3 verbatim quotes from the transcript",
            },
            "suggestion": {"type": "string"},
        },
    },
    "Fluency": {
        "type": ["object", "null"],
        "description": "Fluency measures (docs/fluency.md); a measure is null without its data",
        "properties": {
            "word_count": {"type": "integer"},
            "duration_secs": _NULLABLE_NUM,
            "speech_rate_wpm": _NULLABLE_NUM,
            "articulation_rate_wpm": _NULLABLE_NUM,
            "phonation_time_ratio": _NULLABLE_NUM,
            "silent_pauses_per_min": _NULLABLE_NUM,
            "mean_silent_pause_secs": _NULLABLE_NUM,
            "filled_pauses_per_min": _NULLABLE_NUM,
            "mean_length_of_run": _NULLABLE_NUM,
            "ttr": _NULLABLE_NUM,
            "mattr": _NULLABLE_NUM,
            "mtld": _NULLABLE_NUM,
        },
    },
    "SessionDetail": {
        "allOf": [
            _ref("SessionSummary"),
            {
                "type": "object",
                "required": ["insights", "transcript"],
                "properties": {
                    "focusNext": _NULLABLE_STR,
                    "summary": _NULLABLE_STR,
                    "errorMessage": {
                        "type": ["string", "null"],
                        "description": "Why a FAILED session failed",
                    },
                    "audioDeletedAt": _NULLABLE_TIME,
                    "analyzerVersion": _NULLABLE_STR,
                    "fluency": _ref("Fluency"),
                    "transcript": {"oneOf": [_ref("Transcript"), {"type": "null"}]},
                    "insights": {
                        "type": "array",
                        "items": _ref("Insight"),
                        "description": "Severity order: high, medium, low; then frequency",
                    },
                },
            },
        ]
    },
    "PatternPoint": {
        "type": "object",
        "required": ["sessionId", "at", "frequency", "rate"],
        "properties": {
            "sessionId": {"type": "string"},
            "at": _TIME,
            "frequency": {"type": "integer", "description": "0 where the pattern was absent"},
            "rate": {"type": "number", "description": "Per minute when the length is known"},
        },
    },
    "PatternSummary": {
        "type": "object",
        "required": ["count", "sessions", "category", "pattern", "trend", "history"],
        "properties": {
            "count": {"type": "integer", "description": "Sum of the code's frequencies"},
            "sessions": {"type": "integer", "description": "Sessions showing the pattern"},
            "category": {"type": "string"},
            "pattern": {"type": "string"},
            "ratePerSession": {"type": "number"},
            "lastSeen": _TIME,
            "trend": {**_TREND, "description": "null with fewer than 3 analysed sessions"},
            "history": {
                "type": "array",
                "items": _ref("PatternPoint"),
                "description": "One point per analysed session, oldest first",
            },
        },
    },
    "FocusArea": {
        "type": "object",
        "properties": {
            "code": {"type": "string"},
            "pattern": {"type": "string"},
            "sessions": {"type": "integer"},
            "count": {"type": "integer"},
            "trend": _TREND,
        },
    },
    "Profile": {
        "type": "object",
        "required": ["patterns", "focusAreas", "lastUpdated"],
        "properties": {
            "patterns": {
                "type": "object",
                "additionalProperties": _ref("PatternSummary"),
                "description": "Keyed by taxonomy code",
            },
            "focusAreas": {"type": "array", "items": _ref("FocusArea")},
            "lastUpdated": _NULLABLE_TIME,
        },
    },
    "Ok": {"type": "object", "required": ["ok"], "properties": {"ok": {"const": True}}},
    "Delivery": {
        "type": "object",
        "required": ["sessionId"],
        "properties": {"sessionId": {"type": "string"}},
    },
    "DeliveryAccepted": {
        "type": "object",
        "properties": {
            "ok": {"const": True},
            "sessionId": {"type": "string"},
            "outcome": {
                "type": "string",
                "enum": ["accepted", "already_requested", "already_finished", "replayed"],
            },
        },
    },
    "FailureCallbackAccepted": {
        "type": "object",
        "properties": {
            "ok": {"const": True},
            "sessionId": {"type": "string"},
            "markedFailed": {"type": "boolean"},
        },
    },
    "Health": {
        "type": "object",
        "properties": {
            "ok": {"type": "boolean"},
            "database": {"type": "string", "enum": ["up", "down"]},
            "queue": {"type": "string"},
            "storage": {"type": "string"},
        },
    },
}

_KEYS_MISSING = SignatureErrorCode.SIGNING_KEYS_NOT_CONFIGURED
_QSTASH_HEADERS = [
    {
        "name": "Upstash-Signature",
        "in": "header",
        "required": True,
        "description": "QStash's signing JWT over the exact body (docs/security.md)",
        "schema": {"type": "string"},
    }
]
_QSTASH_ERRORS = {
    "401": _error(
        "Bad, missing or expired signature: nothing launched",
        *(c.value for c in SignatureErrorCode if c is not _KEYS_MISSING),
    ),
    "413": _error("Body over 16 KiB, refused while it streams in", "BODY_TOO_LARGE"),
    "489": _error(
        "Malformed body, a sessionId that is not a UUID, or an unknown session; sent with"
        " Upstash-NonRetryable-Error: true",
        "INVALID_BODY",
        "SESSION_NOT_FOUND",
        "INVALID_STATE",
    ),
    "500": _error(
        "Signing keys not configured, or an unexpected error: QStash retries",
        SignatureErrorCode.SIGNING_KEYS_NOT_CONFIGURED.value,
        "INTERNAL_ERROR",
    ),
}


def _paths() -> dict[str, Any]:
    return {
        "/api/sessions": {
            "post": {
                "tags": ["sessions"],
                "summary": "Upload a recording; processing starts at once",
                "security": _BEARER,
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["audio", "duration"],
                                "properties": {
                                    "audio": {
                                        "type": "string",
                                        "format": "binary",
                                        "description": "≤ 50 MB: webm/opus, ogg, mp3, m4a, "
                                        "wav or flac, recognised by content",
                                    },
                                    "duration": {
                                        "type": "number",
                                        "exclusiveMinimum": 0,
                                        "maximum": 21600,
                                        "description": "Seconds; the decoded length wins",
                                    },
                                    "topic": {"type": "string", "maxLength": 500},
                                    "language": {
                                        "type": "string",
                                        "default": "en",
                                        "pattern": "^[a-z]{2,3}(-[A-Za-z]{2,4})?$",
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "201": _json(_ref("SessionCreated"), "Stored and queued"),
                    "400": _error(
                        "A field is missing or invalid, or the audio does not decode",
                        "MISSING_AUDIO",
                        "INVALID_DURATION",
                        "INVALID_LANGUAGE",
                        "INVALID_TOPIC",
                        "INVALID_REQUEST",
                        "INVALID_AUDIO",
                    ),
                    "401": _UNAUTHORIZED,
                    "413": _error("Over the upload limit (50 MB)", "FILE_TOO_LARGE"),
                    "415": _error("Not an audio format at all", "UNSUPPORTED_MEDIA_TYPE"),
                    "500": _INTERNAL,
                    "503": _UNAVAILABLE,
                },
            },
            "get": {
                "tags": ["sessions"],
                "summary": "The caller's sessions, newest first",
                "security": _BEARER,
                "parameters": [
                    {
                        "name": "page",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "default": 1},
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10},
                    },
                ],
                "responses": {
                    "200": _json(_ref("SessionList"), "One page of sessions"),
                    "400": _error("page or limit out of range", "INVALID_QUERY"),
                    "401": _UNAUTHORIZED,
                    "500": _INTERNAL,
                    "503": _UNAVAILABLE,
                },
            },
        },
        "/api/sessions/{session_id}": {
            "parameters": [_SESSION_ID],
            "get": {
                "tags": ["sessions"],
                "summary": "One session with its status, transcript, insights and fluency",
                "security": _BEARER,
                "responses": {
                    "200": _json(_ref("SessionDetail"), "The session"),
                    "401": _UNAUTHORIZED,
                    "404": _NOT_FOUND,
                    "500": _INTERNAL,
                    "503": _UNAVAILABLE,
                },
            },
            "delete": {
                "tags": ["sessions"],
                "summary": "Delete a session, its audio, rows and profile contribution",
                "security": _BEARER,
                "responses": {
                    "200": _json(_ref("Ok"), "Deleted; the profile is recomputed"),
                    "401": _UNAUTHORIZED,
                    "404": _NOT_FOUND,
                    "500": _INTERNAL,
                    "503": _UNAVAILABLE,
                },
            },
        },
        "/api/profile": {
            "get": {
                "tags": ["profile"],
                "summary": "The caller's pattern profile over all analysed sessions",
                "security": _BEARER,
                "responses": {
                    "200": _json(_ref("Profile"), "The profile (empty before any session)"),
                    "401": _UNAUTHORIZED,
                    "500": _INTERNAL,
                    "503": _UNAVAILABLE,
                },
            }
        },
        "/api/internal/process": {
            "post": {
                "tags": ["internal"],
                "summary": "QStash delivery of a processing request",
                "parameters": _QSTASH_HEADERS,
                "requestBody": {
                    "required": True,
                    "content": {JSON: {"schema": _ref("Delivery")}},
                },
                "responses": {
                    "200": _json(_ref("DeliveryAccepted"), "Recorded; duplicates launch nothing"),
                    **_QSTASH_ERRORS,
                },
            }
        },
        "/api/internal/process-failed": {
            "post": {
                "tags": ["internal"],
                "summary": "QStash failure callback: every delivery attempt failed",
                "parameters": _QSTASH_HEADERS,
                "requestBody": {
                    "required": True,
                    "content": {
                        JSON: {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "sourceBody": {
                                        "type": "string",
                                        "description": "Base64 of the original delivery body",
                                    },
                                    "status": {"type": "integer"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(_ref("FailureCallbackAccepted"), "The session is marked FAILED"),
                    **_QSTASH_ERRORS,
                },
            }
        },
        "/healthz": {
            "get": {
                "tags": ["operations"],
                "summary": "Liveness and readiness: the database answers",
                "responses": {
                    "200": _json(_ref("Health"), "Up"),
                    "503": _json(_ref("Health"), "The database does not answer"),
                },
            }
        },
        "/openapi.json": {
            "get": {
                "tags": ["operations"],
                "summary": "This document",
                "responses": {"200": {"description": "OpenAPI 3.1", "content": {JSON: {}}}},
            }
        },
        "/docs": {
            "get": {
                "tags": ["operations"],
                "summary": "This document rendered for reading",
                "responses": {"200": {"description": "HTML", "content": {"text/html": {}}}},
            }
        },
        "/": _page("The web app: sign in and record"),
        "/history": _page("The web app: the learner's sessions"),
        "/progress": _page("The web app: the learner's pattern profile over time"),
        "/sessions/{session_id}": _page(
            "The web app: one session's status and feedback", [_SESSION_ID]
        ),
    }


def _version() -> str:
    try:
        return version("speaking-pipeline")
    except PackageNotFoundError:
        return "0"


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "speaking-pipeline API",
            "version": _version(),
            "description": (
                "Recorded English speech in, recurring-pattern feedback out. Learner routes "
                "need `Authorization: Bearer <JWT>` whose `sub` is the learner's external id "
                "(`speaking-pipeline token --user ID` prints one). Errors are "
                '`{"error": message, "code": CODE}`.'
            ),
        },
        "servers": [{"url": "/"}],
        "tags": [
            {"name": "sessions", "description": "A learner's recordings and their feedback"},
            {"name": "profile", "description": "Recurring patterns across sessions"},
            {"name": "internal", "description": "Deliveries signed by QStash"},
            {"name": "operations", "description": "Health and this description"},
            {"name": "web app", "description": "Pages of the learner's web app"},
        ],
        "paths": _paths(),
        "components": {
            "schemas": _SCHEMAS,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "HS256 with AUTH_JWT_SECRET, or the identity provider's "
                    "keys (AUTH_JWKS_URL)",
                }
            },
        },
    }
