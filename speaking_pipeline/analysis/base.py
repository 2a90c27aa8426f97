"""The analyzer contract: a transcript (and the learner's history) in, an Analysis out."""

from __future__ import annotations

from typing import Protocol

from speaking_pipeline.domain.errors import PipelineError
from speaking_pipeline.domain.schema import AnalysisInput, AnalyzerRun

__all__ = ["AnalysisError", "AnalysisInput", "Analyzer", "AnalyzerRun"]


class AnalysisError(PipelineError):
    """Analysis failed; `transient` says whether retrying may help."""


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
