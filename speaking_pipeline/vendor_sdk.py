"""Base for providers on the OpenAI or Anthropic SDK: settings, lazy client, readable errors."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar, cast

from speaking_pipeline.config import MissingSettingError, Settings
from speaking_pipeline.vendor_errors import describe_connection, describe_status


class _Client(Protocol):
    @property
    def base_url(self) -> object: ...


ClientT = TypeVar("ClientT", bound=_Client)


@dataclass(frozen=True)
class Sdk:
    """What differs between two vendor SDKs built from one template.

    OpenAI's and Anthropic's SDKs take the same client options and raise the same exception
    classes, so a provider needs only these names to use either.
    """

    vendor: str
    module: str
    client_class: str
    key_variable: str
    base_url_variable: str
    #: The key of an error body that holds the machine-readable error code.
    code_field: str


OPENAI = Sdk("OpenAI", "openai", "OpenAI", "OPENAI_API_KEY", "OPENAI_BASE_URL", "code")
ANTHROPIC = Sdk(
    "Anthropic", "anthropic", "Anthropic", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "type"
)


# eq=False: a provider owns a live client, so it keeps identity equality and stays hashable.
@dataclass(kw_only=True, eq=False)
class SdkProvider(Generic[ClientT]):
    """A transcriber or analyzer calling a vendor SDK; the client is made at first use, so a
    missing key fails the run that needs it, not the process start."""

    sdk: ClassVar[Sdk]
    model_variable: ClassVar[str]
    #: The setting that selected this provider, named when a variable it needs is missing.
    purpose: ClassVar[str]

    api_key: str | None = field(repr=False)
    model: str
    base_url: str | None = None
    max_retries: int = 3
    timeout_secs: float = 120.0
    _client: ClientT | None = field(default=None, init=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> Self:
        # Settings fields are the environment variables' names in lower case, so the names
        # that error messages point people to are also the ones read here.
        key = getattr(settings, cls.sdk.key_variable.lower())
        options: dict[str, Any] = {
            "api_key": key.get_secret_value() if key else None,
            "base_url": getattr(settings, cls.sdk.base_url_variable.lower()),
        }
        if model := getattr(settings, cls.model_variable.lower()):
            options["model"] = model
        return cls(**{**options, **overrides})

    def client(self) -> ClientT:
        if self._client is None:
            if not self.api_key:
                raise MissingSettingError(self.sdk.key_variable, self.purpose)
            client_class = getattr(importlib.import_module(self.sdk.module), self.sdk.client_class)
            self._client = cast(
                "ClientT",
                client_class(
                    api_key=self.api_key,
                    base_url=self.base_url,
                    max_retries=self.max_retries,
                    timeout=self.timeout_secs,
                ),
            )
        return self._client

    @contextmanager
    def errors_as(self, error: Callable[..., Exception], subject: str) -> Iterator[None]:
        """Raise `error(message, transient=...)` for a failure the SDK gave up retrying.

        `subject` names what was sent ("the audio file speech.webm", "the analysis request").
        """
        sdk = importlib.import_module(self.sdk.module)
        try:
            yield
        except sdk.APIStatusError as exc:
            body = exc.body if isinstance(exc.body, dict) else {}
            # Anthropic nests the explanation: {"type": "error", "error": {"type", "message"}}.
            if isinstance(body.get("error"), dict):
                body = body["error"]
            failure = describe_status(
                vendor=self.sdk.vendor,
                status=exc.status_code,
                vendor_message=str(body.get("message") or ""),
                vendor_code=str(body.get(self.sdk.code_field) or "") or None,
                key_variable=self.sdk.key_variable,
                model=self.model,
                model_variable=self.model_variable,
                subject=subject,
                retries=self.max_retries,
                secrets=[self.api_key],
            )
            # `from None`: the SDK's own message may quote the key.
            raise error(failure.message, transient=failure.transient) from None
        except sdk.APIConnectionError as exc:
            failure = describe_connection(
                vendor=self.sdk.vendor,
                base_url=str(self.client().base_url),
                timed_out=isinstance(exc, sdk.APITimeoutError),
                retries=self.max_retries,
            )
            raise error(failure.message, transient=True) from None
