"""A local server answering like QStash's publish API, able to deliver messages as QStash does.

Publishing (``POST /v2/publish/{destination}``) checks the bearer token, honours
``Upstash-Deduplication-Id`` (201 for a new message, 202 with ``deduplicated`` for a
duplicate) and records the ``Upstash-*`` headers. `deliver` then POSTs the message to its
destination with a real ``Upstash-Signature`` (HS256 JWT over the body, `sub` = destination),
retrying up to ``Upstash-Retries`` times and finally calling ``Upstash-Failure-Callback`` with
QStash's failure-callback body, itself signed for the callback URL.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from speaking_pipeline.security.qstash_signature import sign_qstash_delivery
from tests.fakes.server import RecordedRequest, serve

#: QStash's default when a publish names no retry count (paid plans).
DEFAULT_RETRIES = 3
_FORWARD = "upstash-forward-"


@dataclass
class QStashMessage:
    message_id: str
    destination: str
    body: bytes
    content_type: str
    method: str
    retries: int
    failure_callback: str | None
    deduplication_id: str | None
    forward_headers: dict[str, str]
    created_at_ms: int
    deliveries: list[httpx.Response] = field(default_factory=list)
    failure_callback_response: httpx.Response | None = None


@dataclass
class PublishError:
    status: int
    error: str


class FakeQStash:
    def __init__(
        self,
        token: str = "qstash-test-token",
        *,
        current_signing_key: str = "sig_fakeCurrentKey0123456789abcd",
        next_signing_key: str = "sig_fakeNextKey0123456789abcdefg",
        auto_deliver: bool = False,
        retry_delay_secs: float = 0.05,
    ) -> None:
        self.token = token
        self.current_signing_key = current_signing_key
        self.next_signing_key = next_signing_key
        self.auto_deliver = auto_deliver
        self.retry_delay_secs = retry_delay_secs
        self.base_url = ""
        self.requests: list[RecordedRequest] = []
        self.messages: list[QStashMessage] = []
        self.publish_errors: list[PublishError] = []
        self._by_dedup: dict[str, QStashMessage] = {}
        self._lock = threading.Lock()
        self._workers: list[threading.Thread] = []

    def env(self, app_url: str) -> dict[str, str]:
        """The app's QStash configuration pointing at this stand-in."""
        return {
            "APP_URL": app_url,
            "QSTASH_TOKEN": self.token,
            "QSTASH_URL": self.base_url,
            "QSTASH_CURRENT_SIGNING_KEY": self.current_signing_key,
            "QSTASH_NEXT_SIGNING_KEY": self.next_signing_key,
        }

    def fail_next_publish(self, *errors: PublishError) -> None:
        self.publish_errors.extend(errors)

    def app(self) -> Starlette:
        return Starlette(
            routes=[Route("/v2/publish/{destination:path}", self._publish, methods=["POST"])]
        )

    async def _publish(self, request: Request) -> Response:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        recorded = RecordedRequest(request.method, request.url.path, headers, body)
        self.requests.append(recorded)
        if headers.get("authorization") != f"Bearer {self.token}":
            return JSONResponse({"error": "Unauthorized"}, status_code=401)
        if self.publish_errors:
            failure = self.publish_errors.pop(0)
            return JSONResponse({"error": failure.error}, status_code=failure.status)
        destination = request.path_params["destination"]
        if request.url.query:
            destination += "?" + request.url.query
        if not destination.startswith(("http://", "https://")):
            return JSONResponse(
                {"error": f"invalid destination url: {destination}"}, status_code=400
            )
        dedup = headers.get("upstash-deduplication-id")
        with self._lock:
            if dedup and dedup in self._by_dedup:
                existing = self._by_dedup[dedup]
                return JSONResponse(
                    {"messageId": existing.message_id, "deduplicated": True}, status_code=202
                )
            message = QStashMessage(
                message_id=f"msg_{uuid.uuid4().hex}",
                destination=destination,
                body=body,
                content_type=headers.get("content-type", "text/plain"),
                method=headers.get("upstash-method", "POST"),
                retries=int(headers.get("upstash-retries", DEFAULT_RETRIES)),
                failure_callback=headers.get("upstash-failure-callback"),
                deduplication_id=dedup,
                forward_headers={
                    k[len(_FORWARD) :]: v for k, v in headers.items() if k.startswith(_FORWARD)
                },
                created_at_ms=int(time.time() * 1000),
            )
            self.messages.append(message)
            if dedup:
                self._by_dedup[dedup] = message
        if self.auto_deliver:
            worker = threading.Thread(target=self.deliver, args=(message,), daemon=True)
            self._workers.append(worker)
            worker.start()
        return JSONResponse({"messageId": message.message_id}, status_code=201)

    # -- delivery, as QStash does it ---------------------------------------------------

    def signed_headers(
        self, message_id: str, url: str, body: bytes, retried: int
    ) -> dict[str, str]:
        return {
            "User-Agent": "Upstash-QStash",
            "Upstash-Message-Id": message_id,
            "Upstash-Retried": str(retried),
            "Upstash-Signature": sign_qstash_delivery(
                body=body, url=url, key=self.current_signing_key
            ),
        }

    def deliver_once(self, message: QStashMessage, *, retried: int = 0) -> httpx.Response:
        headers = {
            **message.forward_headers,
            "Content-Type": message.content_type,
            **self.signed_headers(message.message_id, message.destination, message.body, retried),
        }
        response = httpx.request(
            message.method, message.destination, content=message.body, headers=headers, timeout=30
        )
        message.deliveries.append(response)
        return response

    def deliver(self, message: QStashMessage) -> bool:
        """Deliver with QStash's retries; on final failure call the failure callback.

        Returns True when the destination answered 2xx.
        """
        response: httpx.Response | None = None
        for attempt in range(message.retries + 1):
            try:
                response = self.deliver_once(message, retried=attempt)
            except httpx.HTTPError:
                response = None
            if response is not None and response.is_success:
                return True
            time.sleep(self.retry_delay_secs * (2**attempt))
        if message.failure_callback:
            message.failure_callback_response = self._call_failure_callback(message, response)
        return False

    def _call_failure_callback(
        self, message: QStashMessage, last: httpx.Response | None
    ) -> httpx.Response:
        payload: dict[str, Any] = {
            "status": last.status_code if last is not None else 0,
            "header": {k: [v] for k, v in last.headers.items()} if last is not None else {},
            "body": base64.b64encode(last.content if last is not None else b"").decode(),
            "retried": message.retries,
            "maxRetries": message.retries,
            "dlqId": f"{int(time.time() * 1000)}-0",
            "sourceMessageId": message.message_id,
            "topicName": "",
            "endpointName": "",
            "url": message.destination,
            "method": message.method,
            "sourceHeader": {
                "Content-Type": [message.content_type],
                **{k: [v] for k, v in message.forward_headers.items()},
            },
            "sourceBody": base64.b64encode(message.body).decode(),
            "notBefore": str(message.created_at_ms),
            "createdAt": str(message.created_at_ms),
            "scheduleId": "",
            "callerIP": "127.0.0.1",
        }
        body = json.dumps(payload).encode()
        assert message.failure_callback is not None
        headers = {
            "Content-Type": "application/json",
            **self.signed_headers(f"msg_{uuid.uuid4().hex}", message.failure_callback, body, 0),
        }
        return httpx.post(message.failure_callback, content=body, headers=headers, timeout=30)

    def wait_for_deliveries(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        for worker in list(self._workers):
            worker.join(max(0.0, deadline - time.monotonic()))


@contextmanager
def running(**kwargs: Any) -> Iterator[FakeQStash]:
    fake = FakeQStash(**kwargs)
    with serve(fake.app()) as url:
        fake.base_url = url
        yield fake
        fake.wait_for_deliveries()
