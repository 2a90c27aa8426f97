"""Learner pattern profiles recomputed on a schedule from stored insights."""
