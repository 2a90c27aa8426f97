"""Transcriber using OpenAI's audio transcription API, splitting files over its upload limit."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from speaking_pipeline.config import MissingSettingError, Settings
from speaking_pipeline.transcription.base import TranscriptionError, TranscriptResult, Word
from speaking_pipeline.vendor_errors import Failure, describe_connection, describe_status

if TYPE_CHECKING:
    import openai

log = logging.getLogger(__name__)

#: The API refuses request bodies over 25 MB.
API_MAX_BYTES = 25 * 1024 * 1024
DEFAULT_MODEL = "whisper-1"
OPENAI_URL = "https://api.openai.com/v1"
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


class OpenAITranscriber:
    name = "openai"

    def __init__(
        self,
        *,
        api_key: str | None,
        model: str = DEFAULT_MODEL,
        base_url: str | None = None,
        max_retries: int = 3,
        timeout_secs: float = 600.0,
        max_upload_bytes: int = API_MAX_BYTES,
        max_piece_secs: float = 600.0,
        default_language: str = "en",
    ) -> None:
        self._api_key = api_key
        self.model = model
        self.base_url = base_url
        self.max_retries = max_retries
        self.timeout_secs = timeout_secs
        self.max_upload_bytes = max_upload_bytes
        self.max_piece_secs = max_piece_secs
        self.default_language = default_language
        self._client: openai.OpenAI | None = None

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> OpenAITranscriber:
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        options: dict[str, Any] = {
            "api_key": key,
            "model": settings.openai_transcribe_model or DEFAULT_MODEL,
            "base_url": settings.openai_base_url,
        }
        options.update(overrides)
        return cls(**options)

    @property
    def word_timestamps(self) -> bool:
        # Only whisper-1 offers verbose_json with word timings; gpt-4o-*-transcribe do not.
        return self.model.startswith("whisper")

    def client(self) -> openai.OpenAI:
        if self._client is None:
            if not self._api_key:
                raise MissingSettingError("OPENAI_API_KEY", "TRANSCRIBER=openai")
            import openai

            self._client = openai.OpenAI(
                api_key=self._api_key,
                base_url=self.base_url,
                max_retries=self.max_retries,
                timeout=self.timeout_secs,
            )
        return self._client

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
        import openai

        mime = SUPPORTED_TYPES[path.suffix.lower().lstrip(".")]
        options: dict[str, Any] = {"model": self.model, "language": lang}
        if prompt:
            options["prompt"] = prompt
        if self.word_timestamps:
            options["response_format"] = "verbose_json"
            options["timestamp_granularities"] = ["word", "segment"]
        else:
            options["response_format"] = "json"
        try:
            with path.open("rb") as fh:
                result = client.audio.transcriptions.create(file=(path.name, fh, mime), **options)
        except openai.APIStatusError as exc:
            raise self._error(_status_failure(exc, self, path.name)) from None
        except openai.APIConnectionError as exc:
            failure = describe_connection(
                vendor="OpenAI",
                base_url=str(client.base_url),
                timed_out=isinstance(exc, openai.APITimeoutError),
                retries=self.max_retries,
            )
            raise self._error(failure) from None
        text = str(getattr(result, "text", "") or "").strip()
        raw_words = getattr(result, "words", None) or []
        words = [Word(word=w.word.strip(), start=w.start, end=w.end) for w in raw_words]
        duration = getattr(result, "duration", None)
        return text, words, float(duration) if duration is not None else None

    @staticmethod
    def _error(failure: Failure) -> TranscriptionError:
        return TranscriptionError(failure.message, transient=failure.transient)


def _status_failure(exc: openai.APIStatusError, t: OpenAITranscriber, filename: str) -> Failure:
    body = exc.body if isinstance(exc.body, dict) else {}
    return describe_status(
        vendor="OpenAI",
        status=exc.status_code,
        vendor_message=str(body.get("message") or ""),
        vendor_code=str(body.get("code") or "") or None,
        key_variable="OPENAI_API_KEY",
        model=t.model,
        model_variable="OPENAI_TRANSCRIBE_MODEL",
        subject=f"the audio file {filename}",
        retries=t.max_retries,
        secrets=[t._api_key],
    )


def _language_code(language: str) -> str:
    """ISO-639-1 code the API expects: "en-GB" and "EN" become "en"."""
    return language.strip().replace("_", "-").split("-", 1)[0].lower() or "en"
