"""Processing queue on Upstash QStash: publishes a signed, retried delivery per session."""

from __future__ import annotations

import logging
import random
import re
import time
from typing import TYPE_CHECKING, Any

from speaking_pipeline.config import MissingSettingError, Settings
from speaking_pipeline.domain.errors import PipelineError
from speaking_pipeline.security.qstash_signature import PROCESS_FAILED_PATH, destination_url
from speaking_pipeline.vendor_errors import scrub

if TYPE_CHECKING:
    from qstash import QStash

log = logging.getLogger(__name__)

_STATUS = re.compile(r"status: (\d{3})")


# QStash retries a failed delivery `DELIVERY_RETRIES` times, waiting RETRY_DELAY_EXPRESSION
# milliseconds before each (`retried` counts from 0): 15 s, 30 s, 1, 2, 4 and 8 min, about
# 16 minutes in all, so the failure callback (and the learner's FAILED) comes well within an
# hour. QStash's default backoff with 5 retries stretches over more than a day.
DELIVERY_RETRIES = 6
RETRY_DELAY_BASE_MS = 15_000
RETRY_DELAY_CAP_MS = 600_000
RETRY_DELAY_EXPRESSION = f"min({RETRY_DELAY_CAP_MS}, {RETRY_DELAY_BASE_MS} * pow(2, retried))"


def retry_delays_secs(retries: int = DELIVERY_RETRIES) -> list[float]:
    """The waits RETRY_DELAY_EXPRESSION gives, in seconds (documented, and tested)."""
    return [min(RETRY_DELAY_CAP_MS, RETRY_DELAY_BASE_MS * 2**n) / 1000 for n in range(retries)]


class QueueError(PipelineError):
    """Publishing failed; `transient` says whether trying again later may help."""


class QStashQueue:
    name = "qstash"

    def __init__(
        self,
        *,
        token: str | None,
        app_url: str,
        base_url: str | None = None,
        delivery_retries: int = DELIVERY_RETRIES,
        retry_delay: str = RETRY_DELAY_EXPRESSION,
        publish_attempts: int = 4,
        backoff_secs: float = 0.5,
    ) -> None:
        self._token = token
        self.process_url = destination_url(app_url)
        self.failure_callback_url = destination_url(app_url, PROCESS_FAILED_PATH)
        self.base_url = base_url
        self.delivery_retries = delivery_retries
        self.retry_delay = retry_delay
        self.publish_attempts = publish_attempts
        self.backoff_secs = backoff_secs
        self._client: QStash | None = None

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> QStashQueue:
        token = settings.qstash_token.get_secret_value() if settings.qstash_token else None
        options: dict[str, Any] = {
            "token": token,
            "app_url": settings.app_url,
            "base_url": settings.qstash_url,
        }
        options.update(overrides)
        return cls(**options)

    def client(self) -> QStash:
        if self._client is None:
            if not self._token:
                raise MissingSettingError("QSTASH_TOKEN", "QUEUE=qstash")
            from qstash import QStash

            # The SDK retries only connection errors, not 5xx or 429, so all retrying is
            # done in `enqueue` under one policy.
            self._client = QStash(self._token, retry=False, base_url=self.base_url)
        return self._client

    @staticmethod
    def deduplication_id(session_id: str, attempt: int = 0) -> str:
        """One message per session (and per explicit re-enqueue `attempt`), however often asked."""
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", session_id)
        return f"process-{safe}" if attempt == 0 else f"process-{safe}-{attempt}"

    def enqueue(self, session_id: str, *, attempt: int = 0) -> None:
        """Publish `{"sessionId": ...}` to the process URL; raises QueueError.

        Publishing again after an unknown outcome is safe: the deduplication id makes QStash
        keep one message. Pass a new `attempt` to deliberately process a session again.
        """
        client = self.client()
        for tries in range(1, self.publish_attempts + 1):
            try:
                response = client.message.publish_json(
                    url=self.process_url,
                    body={"sessionId": session_id},
                    retries=self.delivery_retries,
                    retry_delay=self.retry_delay,
                    deduplication_id=self.deduplication_id(session_id, attempt),
                    failure_callback=self.failure_callback_url,
                )
            except Exception as exc:  # classified below; re-raised as QueueError
                error = self._classify(exc)
                if not error.transient or tries == self.publish_attempts:
                    raise error from None
                # Exponential backoff with full jitter, so many publishers do not retry in step.
                time.sleep(random.uniform(0, self.backoff_secs * 2 ** (tries - 1)))
                continue
            message_id = getattr(response, "message_id", None)
            log.info("queued session %s as QStash message %s", session_id, message_id)
            return

    def _classify(self, exc: Exception) -> QueueError:
        import httpx
        from qstash.errors import (
            DailyMessageLimitExceededError,
            QStashError,
            RateLimitExceededError,
        )

        if isinstance(exc, DailyMessageLimitExceededError):
            return QueueError(
                "QStash refused the message: the daily message limit of the plan is reached",
                transient=False,
            )
        if isinstance(exc, RateLimitExceededError):
            return QueueError("QStash is rate-limiting publishes (429)", transient=True)
        if isinstance(exc, httpx.HTTPError):
            return QueueError(
                f"QStash at {self.base_url or 'https://qstash.upstash.io'} could not be reached: "
                f"{type(exc).__name__}",
                transient=True,
            )
        if isinstance(exc, QStashError):
            match = _STATUS.search(str(exc))
            status = int(match.group(1)) if match else 0
            if status in (401, 403):
                return QueueError(
                    f"QStash rejected the token ({status}): check QSTASH_TOKEN", transient=False
                )
            detail = scrub(str(exc), [self._token])
            return QueueError(f"QStash publish failed: {detail}", transient=status >= 500)
        raise exc
