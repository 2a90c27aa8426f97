"""Analyzer using Claude through the Anthropic SDK, with structured output via forced tool use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from speaking_pipeline.analysis.llm_base import LLMAnalyzer, Messages
from speaking_pipeline.analysis.llm_prompt import ANTHROPIC_SYSTEM_PROMPT, TOOL_NAME, wire_schema
from speaking_pipeline.analysis.postprocess import extract_json_object
from speaking_pipeline.config import DEFAULT_ANTHROPIC_MODEL
from speaking_pipeline.vendor_sdk import ANTHROPIC

if TYPE_CHECKING:
    import anthropic
    from anthropic.types import Message, MessageParam, ToolChoiceToolParam, ToolParam

_TOOL_DESCRIPTION = (
    "Record the analysis of the learner's transcript: the recurring patterns found, one focus "
    "for the next session and a short summary."
)


def _tool() -> ToolParam:
    return {"name": TOOL_NAME, "description": _TOOL_DESCRIPTION, "input_schema": wire_schema()}


# Forcing the tool makes the reply a schema-shaped tool input instead of free text.
_FORCED_TOOL: ToolChoiceToolParam = {"type": "tool", "name": TOOL_NAME}


@dataclass(kw_only=True, eq=False)
class AnthropicAnalyzer(LLMAnalyzer["anthropic.Anthropic", "Message"]):
    name = "anthropic"
    family = "Claude"
    sdk = ANTHROPIC
    model_variable = "ANTHROPIC_MODEL"
    purpose = "ANALYZER=anthropic"
    cut_off = ("max_tokens", "max_tokens")

    model: str = DEFAULT_ANTHROPIC_MODEL

    def _send(self, client: anthropic.Anthropic, messages: Messages) -> Message:
        return client.messages.create(
            model=self.model,
            max_tokens=self.max_tokens,
            system=ANTHROPIC_SYSTEM_PROMPT,
            messages=cast("list[MessageParam]", messages),
            tools=[_tool()],
            tool_choice=_FORCED_TOOL,
        )

    def _usage(self, reply: Message) -> tuple[int, int, str | None]:
        return reply.usage.input_tokens, reply.usage.output_tokens, reply.stop_reason

    def _payload(self, reply: Message) -> object:
        for block in reply.content:
            if block.type == "tool_use" and block.name == TOOL_NAME:
                return block.input
        # Tolerate models that answer in text despite the forced tool.
        text = "".join(block.text for block in reply.content if block.type == "text")
        return extract_json_object(text)

    def _repair_turns(self, reply: Message, problem: str) -> Messages:
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
            f"Your analysis could not be used: {problem}. Call the {TOOL_NAME} tool again with "
            "the complete, corrected analysis. Remember: examples must be exact quotes from the "
            "transcript, codes must come from the table or be other.<slug>."
        )
        # The API requires a result for every tool call the assistant turn made.
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
