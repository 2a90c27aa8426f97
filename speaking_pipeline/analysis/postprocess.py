"""Turns an LLM's reply into a trustworthy Analysis: parse, validate, map codes, drop inventions."""

from __future__ import annotations

import contextlib
import html
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic import ValidationError

from speaking_pipeline.analysis.llm_prompt import (
    OTHER_CODE_PATTERN,
    PROMPT_VERSION,
    WireAnalysis,
    WireInsight,
)
from speaking_pipeline.domain.schema import MAX_INSIGHTS, Analysis, Insight, sort_by_severity
from speaking_pipeline.domain.taxonomy import TAXONOMY, category_of, other_code
from speaking_pipeline.domain.verbatim import MIN_EXAMPLES, is_verbatim, verbatim_examples

CATEGORIES = ("grammar", "vocabulary", "structure")
_OTHER = re.compile(OTHER_CODE_PATTERN)
_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)
_QUOTES = "\"'“”‘’«»`"


class ReplyInvalid(ValueError):
    """The model's reply cannot be used; the message says why, for the model and for people."""


@dataclass
class PostprocessReport:
    dropped_examples: int = 0
    dropped_insights: list[str] = field(default_factory=list)
    recoded: dict[str, str] = field(default_factory=dict)
    categories_fixed: int = 0
    capped: int = 0

    def as_metadata(self) -> dict[str, object]:
        return {
            "dropped_examples": self.dropped_examples,
            "dropped_insights": len(self.dropped_insights),
            "recoded": dict(self.recoded),
            "categories_fixed": self.categories_fixed,
            "insights_over_cap": self.capped,
        }


def extract_json_object(text: str) -> dict[str, Any]:
    """The JSON object in a text reply: bare, in a ```json fence, or with prose around it."""
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    decoder = json.JSONDecoder()
    for candidate in candidates:
        start = candidate.find("{")
        while start != -1:
            try:
                value, _end = decoder.raw_decode(candidate, start)
            except ValueError:
                start = candidate.find("{", start + 1)
                continue
            if isinstance(value, dict):
                return value
            start = candidate.find("{", start + 1)
    raise ReplyInvalid("the reply contains no JSON object")


def parse_reply(payload: object) -> WireAnalysis:
    """Validate the reply's structure; raise ReplyInvalid listing every problem."""
    if isinstance(payload, dict) and isinstance(payload.get("insights"), str):
        # Some models send a nested array as a JSON string inside the tool input.
        with contextlib.suppress(ValueError):
            payload = {**payload, "insights": json.loads(payload["insights"])}
    try:
        return WireAnalysis.model_validate(payload)
    except ValidationError as exc:
        raise ReplyInvalid(format_validation_error(exc)) from None


def format_validation_error(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors(include_url=False, include_input=False)[:10]:
        location = ".".join(str(part) for part in error["loc"]) or "reply"
        problems.append(f"{location}: {error['msg']}")
    return "; ".join(problems)


def map_code(code: str, pattern: str) -> str:
    """The taxonomy code for what the model wrote, or other.<slug> when nothing fits."""
    cleaned = code.strip().lower()
    if cleaned in TAXONOMY or _OTHER.match(cleaned):
        return cleaned
    tail = re.sub(r"[^a-z0-9]+", "_", cleaned.rsplit(".", 1)[-1]).strip("_")
    for known in TAXONOMY:
        if tail and known.split(".", 1)[1] == tail:
            return known
    name = pattern.strip().lower()
    for entry in TAXONOMY.values():
        if entry.name.lower() == name:
            return entry.code
    return other_code(cleaned.removeprefix("other.") if cleaned.startswith("other.") else pattern)


def clean_example(example: str) -> str:
    text = html.unescape(example).strip()
    while len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    return text


def finalize(wire: WireAnalysis, transcript: str) -> tuple[Analysis, PostprocessReport]:
    """Apply the domain rules to a structurally valid reply.

    Codes go into the taxonomy (a taxonomy code decides its category), examples must be
    verbatim quotes, an insight needs 2 of them, one insight per code, at most 5 by severity.
    Raises ReplyInvalid when the reply breaks a rule that cannot be repaired here.
    """
    report = PostprocessReport()
    insights: list[Insight] = []
    for index, item in enumerate(wire.insights):
        insight = _finalize_insight(index, item, transcript, report)
        if insight is not None:
            insights.append(insight)
    by_code: dict[str, Insight] = {}
    for insight in sort_by_severity(insights):
        if insight.code in by_code:
            report.dropped_insights.append(insight.pattern)
            continue
        by_code[insight.code] = insight
    ranked = sort_by_severity(list(by_code.values()))
    report.capped = max(0, len(ranked) - MAX_INSIGHTS)
    try:
        analysis = Analysis(
            insights=ranked[:MAX_INSIGHTS],
            focus_next=wire.focus_next.strip(),
            summary=wire.summary.strip(),
        )
    except ValidationError as exc:
        raise ReplyInvalid(format_validation_error(exc)) from None
    return analysis, report


def _finalize_insight(
    index: int, item: WireInsight, transcript: str, report: PostprocessReport
) -> Insight | None:
    code = map_code(item.code, item.pattern)
    if code != item.code:
        report.recoded[item.code] = code
    category = category_of(code)
    if category is None:
        if item.category not in CATEGORIES:
            raise ReplyInvalid(
                f"insights.{index}.category: {item.category!r} is not one of "
                f"{', '.join(CATEGORIES)}"
            )
        category = item.category  # type: ignore[assignment]
    elif category != item.category:
        report.categories_fixed += 1
    cleaned = [clean_example(e) for e in item.examples]
    examples = verbatim_examples(cleaned, transcript)
    report.dropped_examples += sum(1 for e in cleaned if not is_verbatim(e, transcript))
    if len(examples) < MIN_EXAMPLES:
        report.dropped_insights.append(item.pattern)
        return None
    try:
        return Insight(
            code=code,
            category=category,
            pattern=item.pattern.strip(),
            detail=item.detail.strip(),
            frequency=max(1, item.frequency, len(examples)),
            severity=item.severity,
            examples=examples,
            suggestion=item.suggestion.strip(),
        )
    except ValidationError as exc:
        raise ReplyInvalid(f"insights.{index}: {format_validation_error(exc)}") from None


def analysis_from_reply(payload: object, transcript: str) -> tuple[Analysis, PostprocessReport]:
    """Parse, validate and post-process one reply; raise ReplyInvalid when it is unusable."""
    return finalize(parse_reply(payload), transcript)


@dataclass(frozen=True)
class CallStats:
    """Cost and latency of one model call (SDK retries included in the latency)."""

    input_tokens: int
    output_tokens: int
    latency_ms: int
    stop_reason: str | None


def run_metadata(
    model: str, calls: list[CallStats], repaired: bool, report: PostprocessReport
) -> dict[str, object]:
    """What an LLM analysis run records next to its result (shown as Dagster asset metadata)."""
    return {
        "model": model,
        "prompt_version": PROMPT_VERSION,
        "calls": [asdict(c) for c in calls],
        "input_tokens": sum(c.input_tokens for c in calls),
        "output_tokens": sum(c.output_tokens for c in calls),
        "latency_ms": sum(c.latency_ms for c in calls),
        "repaired": repaired,
        **report.as_metadata(),
    }
