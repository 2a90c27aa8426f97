"""The `speaking-pipeline` console script."""

from speaking_pipeline.cli.main import main

__all__ = ["main"]
