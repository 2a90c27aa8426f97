"""Analyzer using Claude through the Anthropic SDK, with structured output via forced tool use."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, cast

from speaking_pipeline.analysis.base import AnalysisError, AnalysisInput, AnalyzerRun
from speaking_pipeline.analysis.llm_prompt import (
    ANTHROPIC_SYSTEM_PROMPT,
    PROMPT_VERSION,
    TOOL_NAME,
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
    import anthropic
    from anthropic.types import Message, MessageParam, ToolChoiceToolParam, ToolParam

DEFAULT_MODEL = "claude-haiku-4-5-20251001"
_TOOL_DESCRIPTION = (
    "Record the analysis of the learner's transcript: the recurring patterns found, one focus "
    "for the next session and a short summary."
)


def _tool() -> ToolParam:
    return {"name": TOOL_NAME, "description": _TOOL_DESCRIPTION, "input_schema": wire_schema()}


# Forcing the tool makes the reply a schema-shaped tool input instead of free text.
_FORCED_TOOL: ToolChoiceToolParam = {"type": "tool", "name": TOOL_NAME}


class AnthropicAnalyzer:
    name = "anthropic"

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
        self._client: anthropic.Anthropic | None = None

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> AnthropicAnalyzer:
        key = settings.anthropic_api_key.get_secret_value() if settings.anthropic_api_key else None
        options: dict[str, Any] = {
            "api_key": key,
            "model": settings.anthropic_model or DEFAULT_MODEL,
            "base_url": settings.anthropic_base_url,
        }
        options.update(overrides)
        return cls(**options)

    @property
    def version(self) -> str:
        return f"anthropic:{self.model}:{PROMPT_VERSION}"

    def client(self) -> anthropic.Anthropic:
        if self._client is None:
            if not self._api_key:
                raise MissingSettingError("ANTHROPIC_API_KEY", "ANALYZER=anthropic")
            import anthropic

            self._client = anthropic.Anthropic(
                api_key=self._api_key,
                base_url=self.base_url,
                max_retries=self.max_retries,
                timeout=self.timeout_secs,
            )
        return self._client

    def analyze(self, data: AnalysisInput) -> AnalyzerRun:
        client = self.client()
        messages: list[dict[str, Any]] = [{"role": "user", "content": user_message(data)}]
        calls: list[CallStats] = []
        reply = self._call(client, messages, calls)
        try:
            analysis, report = self._use(reply, data.transcript)
            repaired = False
        except ReplyInvalid as first:
            messages += _repair_turns(reply, str(first))
            reply = self._call(client, messages, calls)
            try:
                analysis, report = self._use(reply, data.transcript)
            except ReplyInvalid as second:
                raise AnalysisError(
                    f"Claude ({self.model}) returned an unusable analysis twice. First reply: "
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
        self, client: anthropic.Anthropic, messages: list[dict[str, Any]], calls: list[CallStats]
    ) -> Message:
        import anthropic

        started = time.perf_counter()
        try:
            reply = client.messages.create(
                model=self.model,
                max_tokens=self.max_tokens,
                system=ANTHROPIC_SYSTEM_PROMPT,
                messages=cast("list[MessageParam]", messages),
                tools=[_tool()],
                tool_choice=_FORCED_TOOL,
            )
        except anthropic.APIStatusError as exc:
            body = exc.body if isinstance(exc.body, dict) else {}
            failure = describe_status(
                vendor="Anthropic",
                status=exc.status_code,
                vendor_message=str(body.get("message") or ""),
                vendor_code=str(body.get("type") or "") or None,
                key_variable="ANTHROPIC_API_KEY",
                model=self.model,
                model_variable="ANTHROPIC_MODEL",
                subject="the analysis request",
                retries=self.max_retries,
                secrets=[self._api_key],
            )
            raise AnalysisError(failure.message, transient=failure.transient) from None
        except anthropic.APIConnectionError as exc:
            failure = describe_connection(
                vendor="Anthropic",
                base_url=str(client.base_url),
                timed_out=isinstance(exc, anthropic.APITimeoutError),
                retries=self.max_retries,
            )
            raise AnalysisError(failure.message, transient=True) from None
        calls.append(
            CallStats(
                input_tokens=reply.usage.input_tokens,
                output_tokens=reply.usage.output_tokens,
                latency_ms=round((time.perf_counter() - started) * 1000),
                stop_reason=reply.stop_reason,
            )
        )
        return reply

    @staticmethod
    def _use(reply: Message, transcript: str) -> tuple[Analysis, PostprocessReport]:
        payload: object = None
        for block in reply.content:
            if block.type == "tool_use" and block.name == TOOL_NAME:
                payload = block.input
                break
        else:
            # Tolerate models that answer in text despite the forced tool.
            text = "".join(block.text for block in reply.content if block.type == "text")
            payload = extract_json_object(text)
        try:
            return analysis_from_reply(payload, transcript)
        except ReplyInvalid as exc:
            if reply.stop_reason == "max_tokens":
                raise ReplyInvalid(f"{exc} (the reply was cut off at max_tokens)") from None
            raise


def _repair_turns(reply: Message, problem: str) -> list[dict[str, Any]]:
    """The assistant's reply and a user turn telling it what to fix."""
    content: list[dict[str, Any]] = []
    for block in reply.content:
        if block.type == "text":
            content.append({"type": "text", "text": block.text})
        elif block.type == "tool_use":
            content.append(
                {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
            )
    if not content:
        content.append({"type": "text", "text": "(empty reply)"})
    instruction = (
        f"Your analysis could not be used: {problem}. Call the {TOOL_NAME} tool again with the "
        "complete, corrected analysis. Remember: examples must be exact quotes from the "
        "transcript, codes must come from the table or be other.<slug>."
    )
    follow_up: list[dict[str, Any]] = [
        {
            "type": "tool_result",
            "tool_use_id": block["id"],
            "is_error": True,
            "content": instruction,
        }
        for block in content
        if block["type"] == "tool_use"
    ]
    if not follow_up:
        follow_up = [{"type": "text", "text": instruction}]
    return [{"role": "assistant", "content": content}, {"role": "user", "content": follow_up}]
