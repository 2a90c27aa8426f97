"""Transcriber using OpenAI's audio transcription API, splitting files over its upload limit."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from speaking_pipeline.config import DEFAULT_OPENAI_TRANSCRIBE_MODEL
from speaking_pipeline.transcription.base import TranscriptionError, TranscriptResult, Word
from speaking_pipeline.vendor_sdk import OPENAI, SdkProvider

if TYPE_CHECKING:
    import openai

log = logging.getLogger(__name__)

#: The API refuses request bodies over 25 MB.
API_MAX_BYTES = 25 * 1024 * 1024
# Extensions the API accepts, with the MIME type to declare for each.
SUPPORTED_TYPES = {
    "flac": "audio/flac",
    "m4a": "audio/mp4",
    "mp3": "audio/mpeg",
    "mp4": "audio/mp4",
    "mpeg": "audio/mpeg",
    "mpga": "audio/mpeg",
    "oga": "audio/ogg",
    "ogg": "audio/ogg",
    "wav": "audio/wav",
    "webm": "audio/webm",
}
# The tail of the previous piece, given as the next piece's prompt, keeps spelling and
# punctuation consistent across a cut (OpenAI's advice for split files).
_PROMPT_TAIL_CHARS = 200


@dataclass(kw_only=True, eq=False)
class OpenAITranscriber(SdkProvider["openai.OpenAI"]):
    name = "openai"
    sdk = OPENAI
    model_variable = "OPENAI_TRANSCRIBE_MODEL"
    purpose = "TRANSCRIBER=openai"

    model: str = DEFAULT_OPENAI_TRANSCRIBE_MODEL
    timeout_secs: float = 600.0
    max_upload_bytes: int = API_MAX_BYTES
    max_piece_secs: float = 600.0
    default_language: str = "en"

    @property
    def word_timestamps(self) -> bool:
        # Only whisper-1 offers verbose_json with word timings; gpt-4o-*-transcribe do not.
        return self.model.startswith("whisper")

    def transcribe(self, audio_path: Path, *, language: str | None = None) -> TranscriptResult:
        lang = _language_code(language or self.default_language)
        client = self.client()
        extension = audio_path.suffix.lower().lstrip(".")
        if extension in SUPPORTED_TYPES and audio_path.stat().st_size <= self.max_upload_bytes:
            text, words, duration = self._request(client, audio_path, lang, prompt=None)
            return TranscriptResult(
                text=text, language=lang, duration_secs=duration, words=words, model=self.version
            )
        return self._transcribe_in_pieces(client, audio_path, lang)

    @property
    def version(self) -> str:
        return f"openai:{self.model}"

    def _transcribe_in_pieces(
        self, client: openai.OpenAI, audio_path: Path, lang: str
    ) -> TranscriptResult:
        from speaking_pipeline.transcription.splitting import AudioDecodeError, split_for_upload

        texts: list[str] = []
        words: list[Word] = []
        end = 0.0
        with tempfile.TemporaryDirectory(prefix="sp-openai-") as workdir:
            try:
                pieces = split_for_upload(
                    audio_path,
                    Path(workdir),
                    max_bytes=self.max_upload_bytes,
                    max_piece_secs=self.max_piece_secs,
                )
            except AudioDecodeError as exc:
                raise TranscriptionError(str(exc), transient=False) from exc
            log.info("transcribing %s in %d pieces", audio_path.name, len(pieces))
            for piece in pieces:
                prompt = " ".join(texts)[-_PROMPT_TAIL_CHARS:] or None
                text, piece_words, _ = self._request(client, piece.path, lang, prompt=prompt)
                if text.strip():
                    texts.append(text.strip())
                words.extend(
                    Word(
                        word=w.word,
                        start=round(w.start + piece.start_secs, 3),
                        end=round(w.end + piece.start_secs, 3),
                        probability=w.probability,
                    )
                    for w in piece_words
                )
                end = piece.end_secs
        return TranscriptResult(
            text=" ".join(texts), language=lang, duration_secs=end, words=words, model=self.version
        )

    def _request(
        self, client: openai.OpenAI, path: Path, lang: str, *, prompt: str | None
    ) -> tuple[str, list[Word], float | None]:
        mime = SUPPORTED_TYPES[path.suffix.lower().lstrip(".")]
        options: dict[str, Any] = {"model": self.model, "language": lang}
        if prompt:
            options["prompt"] = prompt
        if self.word_timestamps:
            options["response_format"] = "verbose_json"
            options["timestamp_granularities"] = ["word", "segment"]
        else:
            options["response_format"] = "json"
        with (
            self.errors_as(TranscriptionError, f"the audio file {path.name}"),
            path.open("rb") as fh,
        ):
            result = client.audio.transcriptions.create(file=(path.name, fh, mime), **options)
        text = str(getattr(result, "text", "") or "").strip()
        raw_words = getattr(result, "words", None) or []
        words = [Word(word=w.word.strip(), start=w.start, end=w.end) for w in raw_words]
        duration = getattr(result, "duration", None)
        return text, words, float(duration) if duration is not None else None


def _language_code(language: str) -> str:
    """ISO-639-1 code the API expects: "en-GB" and "EN" become "en"."""
    return language.strip().replace("_", "-").split("-", 1)[0].lower() or "en"
