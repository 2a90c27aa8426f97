"""QStash deliveries over HTTP: signed ones are processed, bad ones get 401 and launch nothing."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from speaking_pipeline.db.engine import session_scope
from speaking_pipeline.db.models import SessionStatus, SpeakingSession
from speaking_pipeline.domain.failures import Reason, learner_message
from speaking_pipeline.security.qstash_signature import sign_qstash_delivery
from tests.fakes.fake_qstash import FakeQStash
from tests.support import app_env, auth, client_for, launch_requested_runs, upload

pytest_plugins = ["tests.fakes.fixtures"]

APP_URL = "http://testserver"
PROCESS_URL = APP_URL + "/api/internal/process"


def _requested(db_url: str, session_id: str) -> bool:
    with session_scope(db_url) as db:
        row = db.scalar(select(SpeakingSession).where(SpeakingSession.id == session_id))
        assert row is not None
        return row.processing_requested_at is not None


@pytest.fixture
def qstash_app(
    monkeypatch: pytest.MonkeyPatch,
    fresh_db_url: str,
    dagster_db_url: str,
    whisper_model_dir: Path,
    tmp_path: Path,
    qstash_server: FakeQStash,
):  # type: ignore[no-untyped-def]
    extra = qstash_server.env(APP_URL)
    with app_env(
        monkeypatch,
        app_db_url=fresh_db_url,
        dagster_db_url=dagster_db_url,
        data_dir=tmp_path / "data",
        whisper_model_dir=whisper_model_dir,
        extra=extra,
    ) as settings:
        yield settings, client_for(settings), qstash_server


def test_signed_delivery_is_processed_and_bad_ones_launch_nothing(qstash_app, fresh_db_url):  # type: ignore[no-untyped-def]
    settings, client, qstash = qstash_app
    session_id = str(upload(client, settings, "learner-q")["id"])

    # The upload published one message to QStash, addressed to our webhook.
    assert len(qstash.messages) == 1
    message = qstash.messages[0]
    assert message.destination == PROCESS_URL
    assert json.loads(message.body) == {"sessionId": session_id}
    assert message.deduplication_id and session_id in message.deduplication_id
    assert message.failure_callback == APP_URL + "/api/internal/process-failed"
    assert not _requested(fresh_db_url, session_id)

    body = message.body
    key = qstash.current_signing_key
    now = time.time()
    bad = {
        "tampered": (
            body.replace(b"}", b" }"),
            sign_qstash_delivery(body=body, url=PROCESS_URL, key=key),
        ),
        "expired": (
            body,
            sign_qstash_delivery(
                body=body, url=PROCESS_URL, key=key, ttl_seconds=60, now=now - 600
            ),
        ),
        "future": (body, sign_qstash_delivery(body=body, url=PROCESS_URL, key=key, now=now + 600)),
        "wrong url": (body, sign_qstash_delivery(body=body, url=APP_URL + "/elsewhere", key=key)),
        "wrong key": (
            body,
            sign_qstash_delivery(body=body, url=PROCESS_URL, key="sig_not_ours_000000000000"),
        ),
        "missing": (body, None),
    }
    for name, (payload, signature) in bad.items():
        headers = {"Content-Type": "application/json"}
        if signature:
            headers["Upstash-Signature"] = signature
        response = client.post("/api/internal/process", content=payload, headers=headers)
        assert response.status_code == 401, name
        assert response.json()["code"], name
        assert key not in response.text
        assert not _requested(fresh_db_url, session_id), name
    assert launch_requested_runs(settings, fresh_db_url) == []

    # Signed with the next key (rotation): accepted.
    headers = {
        "Upstash-Signature": sign_qstash_delivery(
            body=body, url=PROCESS_URL, key=qstash.next_signing_key
        )
    }
    response = client.post("/api/internal/process", content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "accepted"
    # The very same signed request again is a replay: acknowledged (QStash must not retry
    # it to its DLQ) with its outcome, and it requests nothing.
    replay = client.post("/api/internal/process", content=body, headers=headers)
    assert replay.status_code == 200, replay.text
    assert replay.json()["outcome"] == "replayed"
    # A duplicate delivery is acknowledged and requests nothing more.
    response = client.post(
        "/api/internal/process",
        content=body,
        headers=qstash.signed_headers("m", PROCESS_URL, body, 1),
    )
    assert response.status_code == 200
    assert response.json()["outcome"] == "already_requested"

    assert launch_requested_runs(settings, fresh_db_url) == [session_id]
    assert launch_requested_runs(settings, fresh_db_url) == []
    detail = client.get(f"/api/sessions/{session_id}", headers=auth("learner-q", settings)).json()
    assert detail["status"] == "DONE"
    assert detail["insights"] is not None and detail["transcript"]["text"]

    # After DONE, a late redelivery is acknowledged and does nothing.
    response = client.post(
        "/api/internal/process",
        content=body,
        headers=qstash.signed_headers("m", PROCESS_URL, body, 2),
    )
    assert response.json()["outcome"] == "already_finished"


def test_permanent_problems_answer_489_non_retryable(qstash_app):  # type: ignore[no-untyped-def]
    _settings, client, qstash = qstash_app
    for payload in (b"not json", b'{"session": 1}', b'{"sessionId": "no-such-session"}'):
        headers = qstash.signed_headers("m", PROCESS_URL, payload, 0)
        response = client.post("/api/internal/process", content=payload, headers=headers)
        assert response.status_code == 489, payload
        assert response.headers["Upstash-NonRetryable-Error"] == "true"


def test_failure_callback_marks_an_undelivered_session_failed(qstash_app, fresh_db_url):  # type: ignore[no-untyped-def]
    settings, client, qstash = qstash_app
    session_id = str(upload(client, settings, "learner-f")["id"])
    message = qstash.messages[0]
    callback_url = APP_URL + "/api/internal/process-failed"
    payload = json.dumps(
        {
            "status": 503,
            "sourceBody": __import__("base64").b64encode(message.body).decode(),
            "retried": 5,
            "maxRetries": 5,
            "url": PROCESS_URL,
        }
    ).encode()
    unsigned = client.post(callback_url, content=payload)
    assert unsigned.status_code == 401
    response = client.post(
        callback_url, content=payload, headers=qstash.signed_headers("c", callback_url, payload, 0)
    )
    assert response.status_code == 200 and response.json()["markedFailed"] is True
    detail = client.get(f"/api/sessions/{session_id}", headers=auth("learner-f", settings)).json()
    assert detail["status"] == "FAILED"
    assert detail["errorMessage"] == learner_message(Reason.DELIVERY_FAILED)
    assert detail["audioDeletedAt"]  # a FAILED session keeps no audio
    assert not list((settings.data_dir / "audio").rglob("audio.*"))
    with session_scope(fresh_db_url) as db:
        row = db.get(SpeakingSession, session_id)
        assert row is not None and row.status is SessionStatus.FAILED
