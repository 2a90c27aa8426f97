"""Odd input at every boundary gets a 4xx naming what is wrong; never a 500, never a log line
with learner data, and nothing stored."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path

import jwt
import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from speaking_pipeline.db.engine import session_scope
from speaking_pipeline.db.models import SpeakingSession, User
from speaking_pipeline.security.qstash_signature import sign_qstash_delivery
from tests.fakes.fake_qstash import FakeQStash
from tests.support import SPEECH_DIR, app_env, auth, client_for
from webhook.errors import ApiError, api_error_handler
from webhook.middleware import BodyReadTimeout, ErrorShield

pytest_plugins = ["tests.fakes.fixtures"]

APP_URL = "http://testserver"
PROCESS_URL = APP_URL + "/api/internal/process"
SECRET = "test-secret-for-learner-tokens-0123456789"


def _post_audio(
    client: TestClient, headers: dict[str, str], **fields: str
) -> tuple[int, dict[str, object]]:
    path = SPEECH_DIR / "speech.webm"
    data = {"duration": "8", **fields}
    with path.open("rb") as f:
        response = client.post(
            "/api/sessions",
            files={"audio": (path.name, f, "audio/webm")},
            data=data,
            headers=headers,
        )
    return response.status_code, response.json()


def _token(sub: str) -> dict[str, str]:
    now = int(time.time())
    token = jwt.encode({"sub": sub, "iat": now, "exp": now + 600}, SECRET, "HS256")
    return {"Authorization": f"Bearer {token}"}


def _stored(db_url: str) -> tuple[int, int]:
    with session_scope(db_url) as db:
        users = db.scalar(select(func.count()).select_from(User))
        sessions = db.scalar(select(func.count()).select_from(SpeakingSession))
    return int(users or 0), int(sessions or 0)


def test_odd_fields_tokens_ids_and_queries_get_4xx_and_store_nothing(
    monkeypatch: pytest.MonkeyPatch,
    fresh_db_url: str,
    dagster_db_url: str,
    tmp_path: Path,
    qstash_server: FakeQStash,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    with app_env(
        monkeypatch,
        app_db_url=fresh_db_url,
        dagster_db_url=dagster_db_url,
        data_dir=tmp_path / "data",
        extra={**qstash_server.env(APP_URL), "AUTH_JWT_SECRET": SECRET},
    ) as settings:
        # raise_server_exceptions: an exception reaching the server would fail the test.
        client = client_for(settings)
        learner = auth("learner-hostile", settings)

        cases = [
            ({"topic": "my\x00weekend"}, 400, "INVALID_TOPIC"),
            ({"topic": "x" * 501}, 400, "INVALID_TOPIC"),
            ({"language": "xx"}, 400, "INVALID_LANGUAGE"),
            ({"language": "en\x00"}, 400, "INVALID_LANGUAGE"),
            ({"language": "english please"}, 400, "INVALID_LANGUAGE"),
            ({"duration": "٥"}, 400, "INVALID_DURATION"),
            ({"duration": "nan"}, 400, "INVALID_DURATION"),
            ({"duration": "1e400"}, 400, "INVALID_DURATION"),
            ({"duration": "-3"}, 400, "INVALID_DURATION"),
        ]
        for fields, status, code in cases:
            got, body = _post_audio(client, learner, **fields)
            assert (got, body.get("code")) == (status, code), (fields, body)
            assert isinstance(body.get("error"), str) and body["error"]

        for sub, why in (("learner\x00nul", "NUL"), ("a" * 300, "too long")):
            got, body = _post_audio(client, _token(sub))
            assert got == 401 and body["code"] == "UNAUTHORIZED", (why, body)
        assert _stored(fresh_db_url) == (0, 0)

        for path in ("/api/sessions/%00", "/api/sessions/not-a-uuid", "/api/sessions/" + "9" * 400):
            assert client.get(path, headers=learner).status_code == 404, path
            assert client.delete(path, headers=learner).status_code == 404, path

        for query in ("page=²", "limit=٥", "page=0", "limit=101", "page=1.5", "page=", "limit=-1"):
            response = client.get(f"/api/sessions?{query}", headers=learner)
            assert response.status_code == 400, (query, response.text)
            assert response.json()["code"] == "INVALID_QUERY"
        assert client.get("/api/sessions?page=2&limit=5", headers=learner).status_code == 200

        # Signed QStash deliveries with odd session ids: 489 + non-retryable, no retry storm.
        for body in (
            json.dumps({"sessionId": "abc\x00def"}).encode(),
            json.dumps({"sessionId": "x" * 500}).encode(),
            json.dumps({"sessionId": 7}).encode(),
            b"[1, 2]",
            b"\xff\xfe not json",
        ):
            headers = qstash_server.signed_headers("msg-odd", PROCESS_URL, body, 0)
            response = client.post("/api/internal/process", content=body, headers=headers)
            assert response.status_code == 489, (body, response.text)
            assert response.headers["upstash-nonretryable-error"] == "true"

        # An unsigned oversized body is refused before it is read whole.
        big = b"{" + b" " * (1024 * 1024) + b"}"
        response = client.post("/api/internal/process", content=big)
        assert response.status_code == 413
        assert response.json()["code"] == "BODY_TOO_LARGE"

        # A correct upload still works afterwards.
        got, body = _post_audio(client, learner, topic="zebra crossing marker", language="en-GB")
        assert got == 201, body
    assert _stored(fresh_db_url) == (1, 1)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "learner-hostile" not in logged
    assert "zebra crossing marker" not in logged


def test_a_500_logs_type_and_path_only_and_a_database_outage_is_a_503(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Starlette's own 500 handler re-raises for the server to log a traceback that holds
    the exception's text (SQL parameters: topics, ids). The shield answers instead."""
    from sqlalchemy.exc import OperationalError

    async def boom(request: Request) -> JSONResponse:
        raise RuntimeError("INSERT ... parameters: {'topic': 'my secret diary'}")

    async def db_down(request: Request) -> JSONResponse:
        raise OperationalError("SELECT 1", {"external_id": "learner-ext-9"}, Exception("refused"))

    # Placed as create_app places it: inside Starlette's ServerErrorMiddleware, which would
    # re-raise (and fail this client) had the exception reached it.
    app = Starlette(
        routes=[Route("/boom", boom), Route("/db", db_down)],
        middleware=[Middleware(ErrorShield)],
    )
    client = TestClient(app, raise_server_exceptions=True)
    caplog.set_level(logging.DEBUG)
    response = client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"error": "internal error", "code": "INTERNAL_ERROR"}
    response = client.get("/db")
    assert response.status_code == 503 and response.headers["retry-after"]
    assert response.json()["code"] == "SERVICE_UNAVAILABLE"
    text = "\n".join(r.getMessage() + str(r.exc_info or "") for r in caplog.records)
    assert "RuntimeError on GET /boom" in text
    assert "OperationalError on GET /db" in text
    assert "secret diary" not in text and "learner-ext-9" not in text


def test_a_stalled_body_ends_with_408() -> None:
    async def echo(request: Request) -> JSONResponse:
        return JSONResponse({"size": len(await request.body())})

    app = Starlette(routes=[Route("/echo", echo, methods=["POST"])])
    app.add_exception_handler(ApiError, api_error_handler)
    guarded = BodyReadTimeout(app, timeout_secs=0.3)
    sent: list[dict[str, object]] = []

    async def scenario() -> None:
        chunks = [{"type": "http.request", "body": b"{", "more_body": True}]

        async def receive() -> dict[str, object]:
            if chunks:
                return chunks.pop(0)
            await asyncio.sleep(3600)  # the client declared more and went quiet
            raise AssertionError("unreachable")

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "method": "POST",
            "path": "/echo",
            "raw_path": b"/echo",
            "query_string": b"",
            "headers": [(b"content-length", b"1000")],
            "http_version": "1.1",
            "scheme": "http",
            "server": ("testserver", 80),
            "client": ("127.0.0.1", 1),
            "root_path": "",
        }
        await asyncio.wait_for(guarded(scope, receive, send), timeout=30)  # type: ignore[arg-type]

    asyncio.run(scenario())
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 408
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")  # type: ignore[misc]
    assert json.loads(body)["code"] == "REQUEST_TIMEOUT"


def test_a_signed_replay_is_acknowledged_with_its_outcome(
    monkeypatch: pytest.MonkeyPatch,
    fresh_db_url: str,
    dagster_db_url: str,
    tmp_path: Path,
    qstash_server: FakeQStash,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    with app_env(
        monkeypatch,
        app_db_url=fresh_db_url,
        dagster_db_url=dagster_db_url,
        data_dir=tmp_path / "data",
        extra=qstash_server.env(APP_URL),
    ) as settings:
        client = client_for(settings)
        got, created = _post_audio(client, auth("learner-replay", settings))
        assert got == 201
        body = json.dumps({"sessionId": created["id"]}).encode()
        headers = {
            "Upstash-Signature": sign_qstash_delivery(
                body=body, url=PROCESS_URL, key=qstash_server.current_signing_key
            ),
            "Upstash-Message-Id": "msg_replayed_1",
            "Upstash-Retried": "2",
        }
        first = client.post("/api/internal/process", content=body, headers=headers)
        again = client.post("/api/internal/process", content=body, headers=headers)
    assert first.status_code == 200 and first.json()["outcome"] in (
        "accepted",
        "already_requested",
    )
    assert again.status_code == 200 and again.json()["outcome"] == "replayed"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "message msg_replayed_1, retried 2" in logged


@pytest.mark.parametrize("key", ["not-a-session", "0f0f0f0f-0000-4000-8000-000000000000"])
def test_a_partition_that_is_not_a_session_fails_at_once_saying_so(
    key: str,
    monkeypatch: pytest.MonkeyPatch,
    fresh_db_url: str,
    dagster_db_url: str,
    tmp_path: Path,
) -> None:
    from tests.fakes.flaky import FastTranscriber, FlakyTranscriber, provider_resources
    from tests.fault_support import instance_of, run_job

    with app_env(
        monkeypatch, app_db_url=fresh_db_url, dagster_db_url=dagster_db_url, data_dir=tmp_path
    ) as settings:
        client_for(settings)
        instance = instance_of(settings)
        instance.add_dynamic_partitions("sessions", [key])  # as "Add a partition" in the UI
        transcriber = FlakyTranscriber(FastTranscriber(), failures=0, transient=True, message="")
        result = run_job(settings, fresh_db_url, key, provider_resources(transcriber=transcriber))
        assert not result.success
        [failure] = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
        assert failure.step_key == "transcript"
        description = failure.step_failure_data.user_failure_data.description  # type: ignore[union-attr]
        assert description is not None
        assert "partition" in description and ("not a session" in description or key in description)
        assert transcriber.calls == 0
        retries = [e for e in result.all_events if e.event_type_value == "STEP_UP_FOR_RETRY"]
        assert retries == []  # at once: no retry
