"""Offline transcription with faster-whisper (CTranslate2), no network and no ffmpeg needed."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

import av.error
import ctranslate2
from faster_whisper.tokenizer import _LANGUAGE_CODES

from speaking_pipeline.transcription.base import TranscriptionError, TranscriptResult, Word
from speaking_pipeline.transcription.model_files import resolve_model_dir

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

    from speaking_pipeline.config import Settings

# Whisper drops disfluencies unless its context shows them, yet fillers and false starts
# are what the analysis looks for. A prompt that contains them keeps them in the output
# (the technique OpenAI's Whisper prompting guide describes). English only: the prompt
# would pull other languages towards English.
_DISFLUENT_PROMPT = "Um, so, uh, I mean, like, we, we went there and, um, you know, it was good."

# On the test recordings a beam wider than 2 changed no words but cost time on CPU.
_BEAM_SIZE = 2


def normalize_language(code: str | None) -> str | None:
    """Whisper's code for a language tag such as "en-US"; ValueError when unsupported."""
    if code is None or not code.strip():
        return None
    primary = code.strip().lower().replace("_", "-").split("-", 1)[0]
    # faster-whisper's own list; the public one needs a loaded model, too late for uploads.
    if primary not in _LANGUAGE_CODES:
        raise ValueError(f"language {code!r} is not one Whisper can transcribe")
    return str(primary)


class LocalWhisperTranscriber:
    """Transcribes with a local CTranslate2 Whisper model, loaded on first use."""

    name = "whisper-local"

    def __init__(self, model_dir: Path, device: str = "auto", *, cpu_threads: int = 0) -> None:
        self.model_dir = model_dir
        self.device = _resolve_device(device)
        self.cpu_threads = cpu_threads
        self._model: WhisperModel | None = None
        self._load_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalWhisperTranscriber:
        """WHISPER_MODEL_DIR if set, else the packaged base model under DATA_DIR."""
        model_dir = resolve_model_dir(settings.whisper_model_dir, settings.data_dir)
        return cls(model_dir, settings.whisper_device)

    def warm(self) -> None:
        """Load the model now (a warm run worker does it once, as it starts)."""
        self._get_model()

    @property
    def model_label(self) -> str:
        return f"faster-whisper/{self.model_dir.name}"

    def transcribe(self, audio_path: Path, *, language: str | None = None) -> TranscriptResult:
        try:
            whisper_language = normalize_language(language)
        except ValueError as exc:
            raise TranscriptionError(str(exc), transient=False) from exc
        if not audio_path.is_file():
            raise TranscriptionError("audio file not found", transient=False)
        model = self._get_model()

        prompt = _DISFLUENT_PROMPT if whisper_language in (None, "en") else None
        try:
            # faster-whisper decodes with PyAV itself, so any container PyAV reads works.
            segments, info = model.transcribe(
                str(audio_path),
                language=whisper_language,
                beam_size=_BEAM_SIZE,
                word_timestamps=True,
                # Silero VAD (bundled in the wheel) skips long silences, where Whisper
                # would otherwise invent text; its defaults cut only pauses over 2 s.
                vad_filter=True,
                initial_prompt=prompt,
            )
            # Segments are generated lazily: decoding errors surface while iterating.
            segment_list = list(segments)
        except (av.error.FFmpegError, ValueError) as exc:
            raise TranscriptionError(
                f"could not decode audio: {_reason(exc)}", transient=False
            ) from exc
        except MemoryError as exc:
            raise TranscriptionError("out of memory while transcribing", transient=True) from exc
        except RuntimeError as exc:
            # CTranslate2 reports resource trouble (CUDA out of memory, say) this way.
            raise TranscriptionError(
                f"transcription failed: {_reason(exc)}", transient=True
            ) from exc

        if not info.duration or info.duration <= 0:
            raise TranscriptionError("could not decode audio: no audio samples", transient=False)

        words = [
            Word(
                word=word.word.strip(),
                start=float(word.start),
                end=float(word.end),
                probability=float(word.probability),
            )
            for segment in segment_list
            for word in (segment.words or [])
            if word.word.strip()
        ]
        text = " ".join(s.text.strip() for s in segment_list if s.text.strip())
        return TranscriptResult(
            text=text.strip(),
            language=info.language,
            duration_secs=float(info.duration),
            words=words,
            model=self.model_label,
        )

    def _get_model(self) -> WhisperModel:
        model = self._model
        if model is None:
            with self._load_lock:
                if self._model is None:
                    self._model = self._load()
                model = self._model
        return model

    def _load(self) -> WhisperModel:
        from faster_whisper import WhisperModel

        compute_type = "float16" if self.device == "cuda" else "int8"
        try:
            return WhisperModel(
                str(self.model_dir),
                device=self.device,
                compute_type=compute_type,
                cpu_threads=self.cpu_threads,
                local_files_only=True,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise TranscriptionError(
                f"could not load the Whisper model from {self.model_dir}: {_reason(exc)}",
                transient=False,
            ) from exc


def _resolve_device(device: str) -> str:
    if device != "auto":
        return device
    return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, av.error.FFmpegError):
        # PyAV's message embeds the file path; FFmpeg's own explanation is enough.
        return exc.strerror or type(exc).__name__
    return str(exc) or type(exc).__name__
