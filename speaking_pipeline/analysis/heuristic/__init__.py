"""Offline heuristic analyzer: finds recurring learner patterns in a transcript with rules."""

from speaking_pipeline.analysis.heuristic.analyzer import (
    VERSION,
    HeuristicAnalyzer,
    analyze_transcript,
)

__all__ = ["VERSION", "HeuristicAnalyzer", "analyze_transcript"]
