"""The transcriber contract: an audio file in, text with word timings out."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, Field


class Word(BaseModel):
    word: str
    start: float = Field(description="seconds from the start of the audio")
    end: float
    probability: float | None = None


class TranscriptResult(BaseModel):
    text: str
    language: str | None = None
    duration_secs: float | None = None
    words: list[Word] = Field(default_factory=list)
    model: str | None = None

    @property
    def word_count(self) -> int:
        return len(self.text.split())


class TranscriptionError(RuntimeError):
    """Transcription failed; `transient` says whether retrying may help."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class Transcriber(Protocol):
    @property
    def name(self) -> str: ...

    def transcribe(self, audio_path: Path, *, language: str | None = None) -> TranscriptResult:
        """Transcribe one audio file. Raises TranscriptionError."""
        ...
