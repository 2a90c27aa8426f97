"""Transcript analyzers that find a learner's recurring patterns."""
