"""Analyzer using OpenAI chat completions with strict JSON-schema structured output."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, cast

from speaking_pipeline.analysis.base import AnalysisError, AnalysisInput, AnalyzerRun
from speaking_pipeline.analysis.llm_prompt import (
    OPENAI_SYSTEM_PROMPT,
    PROMPT_VERSION,
    user_message,
    wire_schema,
)
from speaking_pipeline.analysis.postprocess import (
    CallStats,
    PostprocessReport,
    ReplyInvalid,
    analysis_from_reply,
    extract_json_object,
    run_metadata,
)
from speaking_pipeline.config import MissingSettingError, Settings
from speaking_pipeline.domain.schema import Analysis
from speaking_pipeline.vendor_errors import describe_connection, describe_status

if TYPE_CHECKING:
    import openai
    from openai.types.chat import ChatCompletion, ChatCompletionMessageParam
    from openai.types.shared_params import ResponseFormatJSONSchema

DEFAULT_MODEL = "gpt-4o-mini"
SCHEMA_NAME = "speaking_analysis"


class OpenAIAnalyzer:
    name = "openai"

    def __init__(
        self,
        *,
        api_key: str | None,
        model: str = DEFAULT_MODEL,
        base_url: str | None = None,
        max_retries: int = 3,
        timeout_secs: float = 120.0,
        max_tokens: int = 4096,
    ) -> None:
        self._api_key = api_key
        self.model = model
        self.base_url = base_url
        self.max_retries = max_retries
        self.timeout_secs = timeout_secs
        self.max_tokens = max_tokens
        self._client: openai.OpenAI | None = None

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> OpenAIAnalyzer:
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        options: dict[str, Any] = {
            "api_key": key,
            "model": settings.openai_analysis_model or DEFAULT_MODEL,
            "base_url": settings.openai_base_url,
        }
        options.update(overrides)
        return cls(**options)

    @property
    def version(self) -> str:
        return f"openai:{self.model}:{PROMPT_VERSION}"

    def client(self) -> openai.OpenAI:
        if self._client is None:
            if not self._api_key:
                raise MissingSettingError("OPENAI_API_KEY", "ANALYZER=openai")
            import openai

            self._client = openai.OpenAI(
                api_key=self._api_key,
                base_url=self.base_url,
                max_retries=self.max_retries,
                timeout=self.timeout_secs,
            )
        return self._client

    def analyze(self, data: AnalysisInput) -> AnalyzerRun:
        client = self.client()
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": OPENAI_SYSTEM_PROMPT},
            {"role": "user", "content": user_message(data)},
        ]
        calls: list[CallStats] = []
        reply = self._call(client, messages, calls)
        try:
            analysis, report = _use(reply, data.transcript)
            repaired = False
        except ReplyInvalid as first:
            messages += [
                {"role": "assistant", "content": _content(reply) or "(empty reply)"},
                {
                    "role": "user",
                    "content": f"That analysis could not be used: {first}. Reply again with the "
                    "complete, corrected JSON object. Examples must be exact quotes from the "
                    "transcript; codes must come from the table or be other.<slug>.",
                },
            ]
            reply = self._call(client, messages, calls)
            try:
                analysis, report = _use(reply, data.transcript)
            except ReplyInvalid as second:
                raise AnalysisError(
                    f"OpenAI ({self.model}) returned an unusable analysis twice. First reply: "
                    f"{first}. Reply after the repair request: {second}.",
                    transient=False,
                ) from None
            repaired = True
        return AnalyzerRun(
            analysis=analysis,
            analyzer_version=self.version,
            metadata=run_metadata(self.model, calls, repaired, report),
        )

    def _call(
        self, client: openai.OpenAI, messages: list[dict[str, Any]], calls: list[CallStats]
    ) -> ChatCompletion:
        import openai

        started = time.perf_counter()
        try:
            reply = client.chat.completions.create(
                model=self.model,
                messages=cast("list[ChatCompletionMessageParam]", messages),
                max_completion_tokens=self.max_tokens,
                response_format=_response_format(),
            )
        except openai.APIStatusError as exc:
            body = exc.body if isinstance(exc.body, dict) else {}
            failure = describe_status(
                vendor="OpenAI",
                status=exc.status_code,
                vendor_message=str(body.get("message") or ""),
                vendor_code=str(body.get("code") or "") or None,
                key_variable="OPENAI_API_KEY",
                model=self.model,
                model_variable="OPENAI_ANALYSIS_MODEL",
                subject="the analysis request",
                retries=self.max_retries,
                secrets=[self._api_key],
            )
            raise AnalysisError(failure.message, transient=failure.transient) from None
        except openai.APIConnectionError as exc:
            failure = describe_connection(
                vendor="OpenAI",
                base_url=str(client.base_url),
                timed_out=isinstance(exc, openai.APITimeoutError),
                retries=self.max_retries,
            )
            raise AnalysisError(failure.message, transient=True) from None
        usage = reply.usage
        calls.append(
            CallStats(
                input_tokens=usage.prompt_tokens if usage else 0,
                output_tokens=usage.completion_tokens if usage else 0,
                latency_ms=round((time.perf_counter() - started) * 1000),
                stop_reason=reply.choices[0].finish_reason if reply.choices else None,
            )
        )
        return reply


def _response_format() -> ResponseFormatJSONSchema:
    return {
        "type": "json_schema",
        "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": wire_schema()},
    }


def _content(reply: ChatCompletion) -> str:
    if not reply.choices:
        return ""
    return reply.choices[0].message.content or ""


def _use(reply: ChatCompletion, transcript: str) -> tuple[Analysis, PostprocessReport]:
    if not reply.choices:
        raise ReplyInvalid("the reply has no choices")
    choice = reply.choices[0]
    if choice.message.refusal:
        raise ReplyInvalid(f"the model refused: {choice.message.refusal}")
    try:
        return analysis_from_reply(extract_json_object(_content(reply)), transcript)
    except ReplyInvalid as exc:
        if choice.finish_reason == "length":
            raise ReplyInvalid(f"{exc} (the reply was cut off at the token limit)") from None
        raise
