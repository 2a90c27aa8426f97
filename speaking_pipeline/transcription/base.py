"""The transcriber contract: an audio file in, text with word timings out."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from speaking_pipeline.domain.errors import PipelineError
from speaking_pipeline.domain.transcript import TranscriptResult, Word

__all__ = ["Transcriber", "TranscriptResult", "TranscriptionError", "Word"]


class TranscriptionError(PipelineError):
    """Transcription failed; `transient` says whether retrying may help."""


class Transcriber(Protocol):
    @property
    def name(self) -> str: ...

    def transcribe(self, audio_path: Path, *, language: str | None = None) -> TranscriptResult:
        """Transcribe one audio file. Raises TranscriptionError."""
        ...
