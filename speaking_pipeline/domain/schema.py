"""What an analyzer is given and returns: a transcript in; insights, focus and summary out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from speaking_pipeline.domain.taxonomy import Category, is_valid_code
from speaking_pipeline.domain.transcript import Word

MAX_INSIGHTS = 5


class Severity(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"

    @property
    def rank(self) -> int:
        """Sort key: high first. Never sort severities alphabetically."""
        return {"high": 0, "medium": 1, "low": 2}[self.value]


class Insight(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    code: str = Field(description="Taxonomy code, or other.<slug> for a pattern outside it")
    category: Category
    pattern: str = Field(min_length=1, description="Human name of the pattern")
    detail: str = Field(min_length=1)
    frequency: int = Field(ge=1, description="How many times the pattern occurs")
    severity: Severity
    examples: list[str] = Field(
        min_length=2, max_length=3, description="2-3 verbatim quotes from the transcript"
    )
    suggestion: str = Field(min_length=1)

    @field_validator("code")
    @classmethod
    def _code_in_taxonomy(cls, value: str) -> str:
        if not is_valid_code(value):
            raise ValueError(f"code {value!r} is neither a taxonomy code nor other.<slug>")
        return value


class Analysis(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    insights: list[Insight] = Field(max_length=MAX_INSIGHTS)
    focus_next: str = Field(alias="focusNext", min_length=1)
    summary: str = Field(min_length=1)

    def sorted_insights(self) -> list[Insight]:
        return sort_by_severity(self.insights)

    def to_public(self) -> dict[str, object]:
        """The JSON shape of the API and `analyze --json`."""
        return self.model_dump(mode="json", by_alias=True)


def sort_by_severity(insights: list[Insight]) -> list[Insight]:
    return sorted(insights, key=lambda i: (i.severity.rank, -i.frequency))


@dataclass(frozen=True)
class AnalysisInput:
    transcript: str
    words: list[Word] = field(default_factory=list)
    duration_secs: float | None = None
    # code -> number of earlier sessions of this learner that showed it
    recurring_codes: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class AnalyzerRun:
    analysis: Analysis
    # Recorded with every analysis so re-analysis can find work done by older versions.
    analyzer_version: str
    metadata: Mapping[str, object] = field(default_factory=dict)
