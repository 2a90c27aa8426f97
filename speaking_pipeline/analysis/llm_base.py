"""The loop shared by the LLM analyzers: call, validate, one repair turn, run metadata."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from speaking_pipeline.analysis.base import AnalysisError, AnalysisInput, AnalyzerRun
from speaking_pipeline.analysis.llm_prompt import llm_version, user_message
from speaking_pipeline.analysis.postprocess import (
    CallStats,
    PostprocessReport,
    ReplyInvalid,
    analysis_from_reply,
    extract_json_object,
    run_metadata,
)
from speaking_pipeline.domain.schema import Analysis
from speaking_pipeline.vendor_sdk import ClientT, SdkProvider

ReplyT = TypeVar("ReplyT")
Messages = list[dict[str, Any]]


@dataclass(kw_only=True, eq=False)
class LLMAnalyzer(SdkProvider[ClientT], Generic[ClientT, ReplyT], ABC):
    """An analyzer asking a vendor's model for the analysis as structured output.

    A subclass sends messages and reads replies in its vendor's terms; this class owns the
    rest, so both vendors validate, repair and report alike.
    """

    name: ClassVar[str]
    #: What error messages call the model's maker ("Claude", "OpenAI").
    family: ClassVar[str]
    #: The stop reason of a reply cut off by the token limit, and how to name that limit.
    cut_off: ClassVar[tuple[str, str]]

    max_tokens: int = 4096

    @property
    def version(self) -> str:
        return llm_version(self.name, self.model)

    def analyze(self, data: AnalysisInput) -> AnalyzerRun:
        client = self.client()
        messages: Messages = [{"role": "user", "content": user_message(data)}]
        calls: list[CallStats] = []
        reply = self._call(client, messages, calls)
        try:
            analysis, report = self._use(reply, calls[-1], data.transcript)
            repaired = False
        except ReplyInvalid as first:
            messages += self._repair_turns(reply, str(first))
            reply = self._call(client, messages, calls)
            try:
                analysis, report = self._use(reply, calls[-1], data.transcript)
            except ReplyInvalid as second:
                raise AnalysisError(
                    f"{self.family} ({self.model}) returned an unusable analysis twice. First "
                    f"reply: {first}. Reply after the repair request: {second}.",
                    transient=False,
                ) from None
            repaired = True
        return AnalyzerRun(
            analysis=analysis,
            analyzer_version=self.version,
            metadata=run_metadata(self.model, calls, repaired, report),
        )

    @abstractmethod
    def _send(self, client: ClientT, messages: Messages) -> ReplyT:
        """Ask the model; `messages` are the user and assistant turns, without the prompt."""

    @abstractmethod
    def _usage(self, reply: ReplyT) -> tuple[int, int, str | None]:
        """Input tokens, output tokens and stop reason of `reply`."""

    @abstractmethod
    def _payload(self, reply: ReplyT) -> object:
        """The analysis object in `reply`, or its text to find the JSON object in.

        Raises ReplyInvalid when the reply has none (a refusal, no choices).
        """

    @abstractmethod
    def _repair_turns(self, reply: ReplyT, problem: str) -> Messages:
        """The assistant's `reply` and a user turn telling it to fix `problem`."""

    def _call(self, client: ClientT, messages: Messages, calls: list[CallStats]) -> ReplyT:
        started = time.perf_counter()
        with self.errors_as(AnalysisError, "the analysis request"):
            reply = self._send(client, messages)
        input_tokens, output_tokens, stop_reason = self._usage(reply)
        calls.append(
            CallStats(
                input_tokens=input_tokens,
                output_tokens=output_tokens,
                latency_ms=round((time.perf_counter() - started) * 1000),
                stop_reason=stop_reason,
            )
        )
        return reply

    def _use(
        self, reply: ReplyT, stats: CallStats, transcript: str
    ) -> tuple[Analysis, PostprocessReport]:
        payload = self._payload(reply)
        try:
            if isinstance(payload, str):
                payload = extract_json_object(payload)
            return analysis_from_reply(payload, transcript)
        except ReplyInvalid as exc:
            stop_reason, limit = self.cut_off
            if stats.stop_reason == stop_reason:
                raise ReplyInvalid(f"{exc} (the reply was cut off at {limit})") from None
            raise
