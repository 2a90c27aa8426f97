"""Analyzer using OpenAI chat completions with strict JSON-schema structured output."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from speaking_pipeline.analysis.llm_base import LLMAnalyzer, Messages
from speaking_pipeline.analysis.llm_prompt import OPENAI_SYSTEM_PROMPT, wire_schema
from speaking_pipeline.analysis.postprocess import ReplyInvalid
from speaking_pipeline.config import DEFAULT_OPENAI_ANALYSIS_MODEL
from speaking_pipeline.vendor_sdk import OPENAI

if TYPE_CHECKING:
    import openai
    from openai.types.chat import ChatCompletion, ChatCompletionMessageParam
    from openai.types.shared_params import ResponseFormatJSONSchema

SCHEMA_NAME = "speaking_analysis"


@dataclass(kw_only=True, eq=False)
class OpenAIAnalyzer(LLMAnalyzer["openai.OpenAI", "ChatCompletion"]):
    name = "openai"
    family = "OpenAI"
    sdk = OPENAI
    model_variable = "OPENAI_ANALYSIS_MODEL"
    purpose = "ANALYZER=openai"
    cut_off = ("length", "the token limit")

    model: str = DEFAULT_OPENAI_ANALYSIS_MODEL

    def _send(self, client: openai.OpenAI, messages: Messages) -> ChatCompletion:
        return client.chat.completions.create(
            model=self.model,
            messages=cast(
                "list[ChatCompletionMessageParam]",
                [{"role": "system", "content": OPENAI_SYSTEM_PROMPT}, *messages],
            ),
            max_completion_tokens=self.max_tokens,
            response_format=_response_format(),
        )

    def _usage(self, reply: ChatCompletion) -> tuple[int, int, str | None]:
        usage = reply.usage
        return (
            usage.prompt_tokens if usage else 0,
            usage.completion_tokens if usage else 0,
            reply.choices[0].finish_reason if reply.choices else None,
        )

    def _payload(self, reply: ChatCompletion) -> object:
        if not reply.choices:
            raise ReplyInvalid("the reply has no choices")
        message = reply.choices[0].message
        if message.refusal:
            raise ReplyInvalid(f"the model refused: {message.refusal}")
        return message.content or ""

    def _repair_turns(self, reply: ChatCompletion, problem: str) -> Messages:
        content = reply.choices[0].message.content if reply.choices else None
        return [
            {"role": "assistant", "content": content or "(empty reply)"},
            {
                "role": "user",
                "content": f"That analysis could not be used: {problem}. Reply again with the "
                "complete, corrected JSON object. Examples must be exact quotes from the "
                "transcript; codes must come from the table or be other.<slug>.",
            },
        ]


def _response_format() -> ResponseFormatJSONSchema:
    return {
        "type": "json_schema",
        "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": wire_schema()},
    }
