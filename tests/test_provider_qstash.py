"""The QStash queue through the real `qstash` SDK against a local QStash stand-in."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from speaking_pipeline.config import MissingSettingError, Settings
from speaking_pipeline.queue.qstash import (
    DELIVERY_RETRIES,
    RETRY_DELAY_EXPRESSION,
    QStashQueue,
    QueueError,
    retry_delays_secs,
)
from speaking_pipeline.security.qstash_signature import verify_qstash_signature
from tests.fakes import fake_qstash
from tests.fakes.fake_qstash import FakeQStash, PublishError
from tests.fakes.server import serve

APP_URL = "https://speaking.example.com"


@pytest.fixture
def fake() -> Iterator[FakeQStash]:
    with fake_qstash.running() as server:
        yield server


def queue(fake: FakeQStash, app_url: str = APP_URL, **overrides: Any) -> QStashQueue:
    settings = Settings(
        _env_file=None,
        app_url=app_url,
        qstash_token=fake.token,
        qstash_url=fake.base_url,
    )
    return QStashQueue.from_settings(settings, **{"backoff_secs": 0.01, **overrides})


def test_publish_request_has_the_documented_shape(fake: FakeQStash) -> None:
    queue(fake).enqueue("sess-42")

    [request] = fake.requests
    assert request.method == "POST"
    assert request.path == f"/v2/publish/{APP_URL}/api/internal/process"
    assert request.header("authorization") == f"Bearer {fake.token}"
    assert request.header("content-type") == "application/json"
    assert request.header("upstash-retries") == str(DELIVERY_RETRIES)
    assert request.header("upstash-retry-delay") == RETRY_DELAY_EXPRESSION
    assert request.header("upstash-deduplication-id") == "process-sess-42"
    assert request.header("upstash-failure-callback") == f"{APP_URL}/api/internal/process-failed"
    assert json.loads(request.body) == {"sessionId": "sess-42"}
    [message] = fake.messages
    assert message.destination == f"{APP_URL}/api/internal/process"


def test_delivery_retries_end_within_an_hour() -> None:
    # The failure callback fires after the last retry: the learner hears within the hour.
    delays = retry_delays_secs()
    assert len(delays) == DELIVERY_RETRIES
    assert delays == sorted(delays) and delays[0] >= 10  # backs off, never hammers
    assert sum(delays) < 3600 - DELIVERY_RETRIES * 30  # with room for slow attempts


def test_enqueueing_twice_keeps_one_message(fake: FakeQStash) -> None:
    q = queue(fake)
    q.enqueue("sess-1")
    q.enqueue("sess-1")
    q.enqueue("sess-1", attempt=1)  # a deliberate re-run is a new message
    assert len(fake.requests) == 3
    assert [m.deduplication_id for m in fake.messages] == ["process-sess-1", "process-sess-1-1"]


def test_server_error_then_success_is_retried(fake: FakeQStash) -> None:
    fake.fail_next_publish(PublishError(500, "internal error"))
    queue(fake).enqueue("sess-2")
    assert len(fake.requests) == 2
    assert len(fake.messages) == 1


def test_persistent_server_errors_are_transient(fake: FakeQStash) -> None:
    fake.fail_next_publish(*[PublishError(503, "unavailable")] * 3)
    with pytest.raises(QueueError) as caught:
        queue(fake, publish_attempts=3).enqueue("sess-3")
    assert caught.value.transient is True
    assert len(fake.requests) == 3


def test_rejected_token_fails_at_once(fake: FakeQStash) -> None:
    q = QStashQueue(token="qstash-wrong-token", app_url=APP_URL, base_url=fake.base_url)
    with pytest.raises(QueueError) as caught:
        q.enqueue("sess-4")
    assert caught.value.transient is False
    assert str(caught.value) == "QStash rejected the token (401): check QSTASH_TOKEN"
    assert len(fake.requests) == 1


def test_missing_token_fails_at_first_use() -> None:
    settings = Settings(_env_file=None, qstash_token=None)
    q = QStashQueue.from_settings(settings)
    with pytest.raises(MissingSettingError) as caught:
        q.enqueue("sess-5")
    assert caught.value.variable == "QSTASH_TOKEN"


class Receiver:
    """A stand-in for our API's QStash routes that verifies signatures like the real one."""

    def __init__(self, fake: FakeQStash, process_status: int) -> None:
        self.fake = fake
        self.process_status = process_status
        self.base_url = ""
        self.received: list[tuple[str, dict[str, Any], bytes]] = []

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        verify_qstash_signature(
            signature=request.headers.get("upstash-signature"),
            body=body,
            expected_url=self.base_url + request.url.path,
            current_key=self.fake.current_signing_key,
            next_key=self.fake.next_signing_key,
        )
        self.received.append((request.url.path, dict(request.headers), body))
        status = self.process_status if request.url.path.endswith("/process") else 200
        return JSONResponse({"ok": status < 300}, status_code=status)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/api/internal/process", self.handle, methods=["POST"]),
                Route("/api/internal/process-failed", self.handle, methods=["POST"]),
            ]
        )


def test_delivery_is_signed_for_the_process_url(fake: FakeQStash) -> None:
    receiver = Receiver(fake, process_status=200)
    with serve(receiver.app()) as url:
        receiver.base_url = url
        queue(fake, app_url=url).enqueue("sess-6")
        [message] = fake.messages
        assert fake.deliver(message) is True

    [(path, headers, body)] = receiver.received
    assert path == "/api/internal/process"
    assert json.loads(body) == {"sessionId": "sess-6"}
    assert headers["upstash-message-id"] == message.message_id
    assert headers["upstash-retried"] == "0"


def test_final_failure_calls_the_failure_callback(fake: FakeQStash) -> None:
    receiver = Receiver(fake, process_status=500)
    with serve(receiver.app()) as url:
        receiver.base_url = url
        queue(fake, app_url=url, delivery_retries=1).enqueue("sess-7")
        [message] = fake.messages
        assert fake.deliver(message) is False

    paths = [path for path, _, _ in receiver.received]
    assert paths == ["/api/internal/process"] * 2 + ["/api/internal/process-failed"]
    callback = json.loads(receiver.received[-1][2])
    assert json.loads(base64.b64decode(callback["sourceBody"])) == {"sessionId": "sess-7"}
    assert callback["sourceMessageId"] == message.message_id
    assert callback["status"] == 500
    assert callback["retried"] == callback["maxRetries"] == 1
