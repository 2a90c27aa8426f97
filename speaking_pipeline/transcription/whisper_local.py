"""Offline transcription with faster-whisper (CTranslate2), no network and no ffmpeg needed."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import av.error
import ctranslate2
from faster_whisper.tokenizer import _LANGUAGE_CODES

from speaking_pipeline.transcription.base import TranscriptionError, TranscriptResult, Word
from speaking_pipeline.transcription.model_files import resolve_model_dir

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

    from speaking_pipeline.config import Settings

# Decoding is set to transcribe what was said, not what a fluent speaker would have said.
# Whisper's language model "corrects" learner grammar ("it depend of" -> "it depends on"), and
# every extra piece of context makes that stronger:
# - no initial prompt: a prompt full of disfluencies made it repeat short utterances, and
#   any prompt is text the decoder continues in its own (fluent) style;
# - condition_on_previous_text off: the previous window's (already smoothed) text would bias
#   the next one, and it is what lets one hallucination propagate;
# - greedy decoding (beam 1): a beam picks the likelier, i.e. more standard, wording;
# - temperature fallback kept short: sampling at high temperatures invents words; a window
#   that still fails the checks at 0.4 is dropped below as unreliable.
_BEAM_SIZE = 1
_TEMPERATURES = (0.0, 0.2, 0.4)
# Silence longer than this around a suspect segment is skipped, where Whisper invents text.
_HALLUCINATION_SILENCE_SECS = 2.0
# Segment checks (Whisper's own thresholds): speech unlikely and decoding unsure, or text too
# repetitive to be speech.
_NO_SPEECH_PROB = 0.6
_MIN_AVG_LOGPROB = -1.0
_MAX_COMPRESSION_RATIO = 2.4
# A word stamped at the very end of the clip with no duration was not heard: Whisper appends
# such words when it completes a sentence the speaker never said.
_MIN_WORD_SECS = 0.02


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

        try:
            # faster-whisper decodes with PyAV itself, so any container PyAV reads works.
            segments, info = model.transcribe(
                str(audio_path),
                language=whisper_language,
                beam_size=_BEAM_SIZE,
                best_of=1,
                temperature=list(_TEMPERATURES),
                condition_on_previous_text=False,
                word_timestamps=True,
                hallucination_silence_threshold=_HALLUCINATION_SILENCE_SECS,
                # Silero VAD (bundled in the wheel) skips long silences, where Whisper
                # would otherwise invent text; its defaults cut only pauses over 2 s.
                vad_filter=True,
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

        kept = verbatim_segments(segment_list, float(info.duration))
        words = [w for segment in kept for w in segment.words]
        text = " ".join(segment.text for segment in kept if segment.text)
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


class _SegmentLike(Protocol):
    text: str
    start: float
    end: float
    no_speech_prob: float
    avg_logprob: float
    compression_ratio: float
    words: Sequence[Any] | None


@dataclass(frozen=True)
class KeptSegment:
    """A segment that passed the checks, with its text rebuilt from the words kept."""

    text: str
    words: list[Word]


def _normal(text: str) -> str:
    return " ".join(re.findall(r"[\w']+", text.casefold()))


def verbatim_segments(segments: Iterable[_SegmentLike], duration: float) -> list[KeptSegment]:
    """Drop what the speaker did not say: segments Whisper flags as probably not speech,
    degenerate (repetitive) text, a segment that repeats the previous one word for word, and
    zero-length words stamped at the end of the clip."""
    kept: list[KeptSegment] = []
    previous = ""
    for segment in segments:
        unsure = segment.no_speech_prob > _NO_SPEECH_PROB and segment.avg_logprob < _MIN_AVG_LOGPROB
        if unsure or segment.compression_ratio > _MAX_COMPRESSION_RATIO:
            continue
        words = []
        for w in segment.words or []:
            spoken = w.word.strip()
            if not spoken:
                continue
            at_end = float(w.end) >= duration - _MIN_WORD_SECS
            if float(w.end) - float(w.start) < _MIN_WORD_SECS and at_end:
                continue
            words.append(
                Word(
                    word=spoken,
                    start=float(w.start),
                    end=float(w.end),
                    probability=float(w.probability),
                )
            )
        if segment.words is not None and not words:
            continue
        text = " ".join(w.word for w in words) if segment.words is not None else segment.text
        text = text.strip()
        normal = _normal(text)
        if not normal or normal == previous:
            continue  # Whisper sometimes emits one utterance twice
        previous = normal
        kept.append(KeptSegment(text, words))
    return kept


def _resolve_device(device: str) -> str:
    if device != "auto":
        return device
    return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, av.error.FFmpegError):
        # PyAV's message embeds the file path; FFmpeg's own explanation is enough.
        return exc.strerror or type(exc).__name__
    return str(exc) or type(exc).__name__
