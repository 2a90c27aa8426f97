"""At-least-once delivery: duplicates launch one run, and trouble gets the answer QStash needs."""

from __future__ import annotations

import socket
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from dagster import RunsFilter
from sqlalchemy import select
from starlette.testclient import TestClient

from speaking_pipeline.config import Settings
from speaking_pipeline.db.engine import session_scope
from speaking_pipeline.db.models import SessionStatus, SpeakingSession
from speaking_pipeline.db.repository import Repository
from speaking_pipeline.pipeline.intake import Intake, request_processing
from speaking_pipeline.queue.direct import DirectQueue
from tests.fakes.fake_qstash import FakeQStash
from tests.fakes.flaky import provider_resources
from tests.fault_support import (
    assert_consistent,
    insight_sets,
    instance_of,
    launch_requested,
    status_of,
)
from tests.support import app_env, client_for, upload

pytest_plugins = ["tests.fakes.fixtures"]

APP_URL = "http://testserver"
PROCESS_URL = APP_URL + "/api/internal/process"


@pytest.fixture
def qstash_settings(
    monkeypatch: pytest.MonkeyPatch,
    fresh_db_url: str,
    dagster_db_url: str,
    tmp_path: Path,
    qstash_server: FakeQStash,
) -> Iterator[Settings]:
    extra = qstash_server.env(APP_URL)
    with app_env(
        monkeypatch,
        app_db_url=fresh_db_url,
        dagster_db_url=dagster_db_url,
        data_dir=tmp_path / "data",
        extra=extra,
    ) as settings:
        yield settings


def _runs_for(settings: Settings, session_id: str) -> int:
    runs = instance_of(settings).get_runs(RunsFilter(tags={"dagster/partition": session_id}))
    return len(runs)


def test_duplicate_and_concurrent_deliveries_launch_one_run(
    qstash_settings: Settings, qstash_server: FakeQStash, fresh_db_url: str
) -> None:
    settings = qstash_settings
    client = client_for(settings)
    session_id = str(upload(client, settings, "learner-dup")["id"])
    [message] = qstash_server.messages
    body = message.body

    # QStash redelivering while the first attempt is still in flight, and our own direct
    # queue asked at the same moment: every caller gets an answer, one request is recorded.
    start = threading.Barrier(12)

    def deliver(attempt: int) -> tuple[int, str]:
        headers = qstash_server.signed_headers(message.message_id, PROCESS_URL, body, attempt)
        start.wait()
        response = client.post("/api/internal/process", content=body, headers=headers)
        return response.status_code, response.json().get("outcome", "")

    def enqueue_direct(_: int) -> tuple[int, str]:
        start.wait()
        return 200, request_processing(Repository(fresh_db_url), session_id).value

    with ThreadPoolExecutor(max_workers=12) as pool:
        futures = [pool.submit(deliver, n) for n in range(8)]
        futures += [pool.submit(enqueue_direct, n) for n in range(4)]
        answers = [f.result(timeout=60) for f in futures]
    assert all(status == 200 for status, _ in answers), answers
    outcomes = Counter(outcome for _, outcome in answers)
    # The upload's own publish does not record a request (QStash delivers it), so exactly
    # one of the twelve is the one that counts.
    assert outcomes == {"accepted": 1, "already_requested": 11}, outcomes

    resources = provider_resources()
    assert len(launch_requested(settings, fresh_db_url, resources)) == 1
    # The daemon evaluates the intake sensor again and again: the run_key holds.
    assert launch_requested(settings, fresh_db_url, resources) == []
    assert status_of(fresh_db_url, session_id) == (SessionStatus.DONE, None)

    # Hours later, QStash retries a delivery it thinks failed: acknowledged, nothing runs.
    late = [
        client.post(
            "/api/internal/process",
            content=body,
            headers=qstash_server.signed_headers(message.message_id, PROCESS_URL, body, n),
        )
        for n in (20, 21)
    ]
    assert [r.status_code for r in late] == [200, 200]
    assert {r.json()["outcome"] for r in late} == {"already_finished"}
    DirectQueue(Repository(fresh_db_url)).enqueue(session_id)
    assert launch_requested(settings, fresh_db_url, resources) == []
    assert _runs_for(settings, session_id) == 1
    assert list(insight_sets(fresh_db_url)) == [session_id]
    assert_consistent(fresh_db_url)


def _refused_url() -> str:
    """A PostgreSQL URL on a local port nothing listens on: connections are refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"postgresql://speaking:unused@127.0.0.1:{port}/speaking"


def test_database_down_during_a_delivery_answers_5xx_and_launches_nothing(
    qstash_settings: Settings, qstash_server: FakeQStash, fresh_db_url: str
) -> None:
    settings = qstash_settings
    session_id = str(upload(client_for(settings), settings, "learner-dbdown")["id"])
    [message] = qstash_server.messages
    body = message.body

    from webhook.app import create_app

    # As a real server would: the error becomes the 500 answer instead of reaching the test.
    down = TestClient(
        create_app(settings.model_copy(update={"database_url": _refused_url()})),
        raise_server_exceptions=False,
    )
    response = down.post(
        "/api/internal/process",
        content=body,
        headers=qstash_server.signed_headers(message.message_id, PROCESS_URL, body, 0),
    )
    # 5xx without the non-retryable header: QStash tries again later.
    assert 500 <= response.status_code < 600, response.status_code
    assert "Upstash-NonRetryable-Error" not in response.headers
    assert "unused" not in response.text  # no credentials in the answer

    with session_scope(fresh_db_url) as db:
        row = db.scalar(select(SpeakingSession).where(SpeakingSession.id == session_id))
        assert row is not None
        assert row.processing_requested_at is None
        assert row.status is SessionStatus.UPLOADED
    resources = provider_resources()
    assert launch_requested(settings, fresh_db_url, resources) == []
    assert _runs_for(settings, session_id) == 0

    # QStash's retry reaches the app once the database is back: processed once.
    retry = client_for(settings).post(
        "/api/internal/process",
        content=body,
        headers=qstash_server.signed_headers(message.message_id, PROCESS_URL, body, 1),
    )
    assert retry.status_code == 200
    assert retry.json()["outcome"] == Intake.ACCEPTED.value
    assert len(launch_requested(settings, fresh_db_url, resources)) == 1
    assert status_of(fresh_db_url, session_id) == (SessionStatus.DONE, None)
    assert_consistent(fresh_db_url)
