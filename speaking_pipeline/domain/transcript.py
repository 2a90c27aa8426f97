"""What a transcriber returns: the text with word timings."""

from __future__ import annotations

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
