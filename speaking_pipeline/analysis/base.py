"""The analyzer contract: a transcript (and the learner's history) in, an Analysis out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from speaking_pipeline.domain.schema import Analysis
from speaking_pipeline.transcription.base import Word


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


class AnalysisError(RuntimeError):
    """Analysis failed; `transient` says whether retrying may help."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class Analyzer(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str:
        """Analyzer, prompt and model version, recorded with every analysis."""
        ...

    def analyze(self, data: AnalysisInput) -> AnalyzerRun:
        """Analyse one transcript. Raises AnalysisError."""
        ...
