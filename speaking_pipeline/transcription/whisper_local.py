"""Offline transcription with faster-whisper (CTranslate2), no network and no ffmpeg needed."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import av.error
import ctranslate2
import numpy as np
from faster_whisper.tokenizer import _LANGUAGE_CODES, Tokenizer

from speaking_pipeline.transcription.base import TranscriptionError, TranscriptResult, Word
from speaking_pipeline.transcription.model_files import resolve_model_dir
from speaking_pipeline.transcription.rescoring import SequenceScorer, learner_rescore

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
# Greedy decoding still repairs grammar (the prior is in every step), so each window's text
# is then re-scored against learner variants of it (rescoring.py). Measured and not taken
# (docs/benchmarks.md): beam 5 kept fewer planted errors at over twice the cost; a prompt
# in learner English helped on some texts and hurt on others.
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
# Re-scoring attends only to the window's speech (plus this many encoder frames of 20 ms):
# the padding adds nothing to compare two wordings by, and its cross-attention is most of
# the cost.
_RESCORE_PAD_FRAMES = 25
_RESCORE_BATCH = 16
# The prior (decoder given no speech) needs no more than a few frames of silence to attend
# to: scoring with 16 or with the window's length of silence chose the same variants.
_PRIOR_FRAMES = 16
_ENCODER_FRAMES = 1500
_SAMPLE_RATE = 16000


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

    def __init__(
        self,
        model_dir: Path,
        device: str = "auto",
        *,
        cpu_threads: int = 0,
        rescore: bool = True,
    ) -> None:
        self.model_dir = model_dir
        self.device = _resolve_device(device)
        self.cpu_threads = cpu_threads
        self._model: WhisperModel | None = None
        self._load_lock = threading.Lock()
        self._silence: Any = None
        # Learner-variant re-scoring (rescoring.py); off only to measure what it changes.
        self.rescore = rescore

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalWhisperTranscriber:
        """WHISPER_MODEL_DIR if set, else the packaged base model under DATA_DIR."""
        model_dir = resolve_model_dir(settings.whisper_model_dir, settings.data_dir)
        return cls(model_dir, settings.whisper_device, cpu_threads=settings.whisper_cpu_threads)

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

        windows: dict[int, tuple[Any, int]] = {}
        model.capture.windows = windows
        try:
            with _as_transcription_error():
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
            if not info.duration or info.duration <= 0:
                raise TranscriptionError(
                    "could not decode audio: no audio samples", transient=False
                )
            kept = verbatim_segments(segment_list, float(info.duration))
            if self.rescore and info.language == "en":
                with _as_transcription_error():
                    kept = self._rescore(model, kept, windows)
        finally:
            model.capture.windows = None

        words = [w for segment in kept for w in segment.words]
        text = " ".join(segment.text for segment in kept if segment.text)
        return TranscriptResult(
            text=text.strip(),
            language=info.language,
            duration_secs=float(info.duration),
            words=words,
            model=self.model_label,
        )

    def _rescore(
        self, model: Any, kept: list[KeptSegment], windows: dict[int, tuple[Any, int]]
    ) -> list[KeptSegment]:
        """Kept segments with each decoding window's learner variants checked against its
        audio (see rescoring.py); segments without word timings are left as they are."""
        tokenizer = Tokenizer(
            model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="en"
        )
        silence = self._silence_encoding(model)
        result: list[KeptSegment] = []
        by_seek: dict[int, list[KeptSegment]] = {}
        for segment in kept:
            by_seek.setdefault(segment.seek, []).append(segment)
        for seek, group in by_seek.items():
            window = windows.get(seek)
            if window is None or any(not segment.words for segment in group):
                result.extend(group)
                continue
            encoded, num_frames = window
            frames = min(_ENCODER_FRAMES, num_frames // 2 + _RESCORE_PAD_FRAMES)
            audio = _scorer(model, tokenizer, _encoder_array(encoded)[:, :frames], num_frames)
            prior = _scorer(model, tokenizer, silence[:, :_PRIOR_FRAMES], _PRIOR_FRAMES * 2)
            result.extend(rescored_segments(group, audio, prior))
        return result

    def _silence_encoding(self, model: Any) -> Any:
        """The encoder's output for a second of silence: the decoder's view of no speech."""
        if self._silence is None:
            from faster_whisper.audio import pad_or_trim

            features = model.feature_extractor(np.zeros(_SAMPLE_RATE, dtype=np.float32))
            # Padded as faster-whisper pads every window it decodes.
            self._silence = _encoder_array(model.encode(pad_or_trim(features)))
        return self._silence

    def _get_model(self) -> WhisperModel:
        model = self._model
        if model is None:
            with self._load_lock:
                if self._model is None:
                    self._model = self._load()
                model = self._model
        return model

    def _load(self) -> WhisperModel:
        compute_type = "float16" if self.device == "cuda" else "int8"
        try:
            return _capturing_model_class()(
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
    seek: int
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
    # The decoding window it came from (faster-whisper's frame offset), for re-scoring.
    seek: int = 0


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
        kept.append(KeptSegment(text, words, int(segment.seek)))
    return kept


def rescored_segments(
    group: list[KeptSegment], score_audio: SequenceScorer, score_prior: SequenceScorer
) -> list[KeptSegment]:
    """One decoding window's segments after learner-variant re-scoring of all their words
    together. A changed word keeps the timing of the word it replaces (its probability was
    Whisper's for the other word, so it is dropped); an inserted word sits in the gap after
    the word before it."""
    words = [w for segment in group for w in segment.words]
    owner = [n for n, segment in enumerate(group) for _ in segment.words]
    placed = learner_rescore(
        [w.word for w in words],
        score_audio,
        score_prior,
        confidences=[w.probability for w in words],
    )
    new_words: list[list[Word]] = [[] for _ in group]
    previous: Word | None = None
    current = 0
    for index, (spelled, source) in enumerate(placed):
        if source is not None:
            current = owner[source]
            old = words[source]
            word = old if spelled == old.word else Word(word=spelled, start=old.start, end=old.end)
        else:
            following = next((words[s] for _, s in placed[index + 1 :] if s is not None), None)
            start = previous.end if previous is not None else following.start if following else 0.0
            end = max(start, following.start) if following is not None else start
            word = Word(word=spelled, start=start, end=end)
        new_words[current].append(word)
        previous = word
    return [
        KeptSegment(" ".join(w.word for w in ws), ws, segment.seek)
        for segment, ws in zip(group, new_words, strict=True)
        if ws
    ]


def _scorer(model: Any, tokenizer: Tokenizer, encoded: Any, num_frames: int) -> SequenceScorer:
    """Teacher-forced log-probability of each text given one window's (cropped) encoding,
    from CTranslate2's alignment pass, which returns the probability of every forced token."""

    def score(texts: Sequence[str]) -> list[float]:
        scores: list[float] = []
        frames = min(num_frames, encoded.shape[1] * 2)
        for begin in range(0, len(texts), _RESCORE_BATCH):
            batch = texts[begin : begin + _RESCORE_BATCH]
            tiled = ctranslate2.StorageView.from_array(
                np.ascontiguousarray(np.repeat(encoded, len(batch), axis=0))
            )
            tokens = [tokenizer.encode(" " + text.strip()) for text in batch]
            results = model.model.align(tiled, tokenizer.sot_sequence, tokens, frames)
            scores.extend(
                float(np.log(np.maximum(np.asarray(r.text_token_probs), 1e-12)).sum())
                for r in results
            )
        return scores

    return score


def _encoder_array(encoded: Any) -> Any:
    """A window's encoder output as a float32 array [1, frames, width], on the CPU."""
    if encoded.device != "cpu":
        encoded = encoded.to_device(ctranslate2.Device.cpu)
    return np.asarray(encoded, dtype=np.float32)


_capturing_class: type[WhisperModel] | None = None


def _capturing_model_class() -> type[WhisperModel]:
    """WhisperModel that keeps each window's encoder output for re-scoring, per thread, so
    it is not computed twice. Built on first use: faster-whisper is slow to import."""
    global _capturing_class
    if _capturing_class is None:
        from faster_whisper import WhisperModel

        class CapturingWhisperModel(WhisperModel):  # type: ignore[misc]
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                self.capture = threading.local()

            def add_word_timestamps(  # type: ignore[no-untyped-def]
                self, segments, tokenizer, encoder_output, num_frames, *args, **kwargs
            ):
                windows = getattr(self.capture, "windows", None)
                if windows is not None:
                    for window in segments:
                        for segment in window:
                            windows[segment["seek"]] = (encoder_output, num_frames)
                return super().add_word_timestamps(
                    segments, tokenizer, encoder_output, num_frames, *args, **kwargs
                )

        _capturing_class = CapturingWhisperModel
    return _capturing_class


@contextmanager
def _as_transcription_error() -> Iterator[None]:
    """Decoding and scoring failures as TranscriptionError, permanent or transient."""
    try:
        yield
    except TranscriptionError:
        raise
    except (av.error.FFmpegError, ValueError) as exc:
        raise TranscriptionError(
            f"could not decode audio: {_reason(exc)}", transient=False
        ) from exc
    except MemoryError as exc:
        raise TranscriptionError("out of memory while transcribing", transient=True) from exc
    except RuntimeError as exc:
        # CTranslate2 reports resource trouble (CUDA out of memory, say) this way.
        raise TranscriptionError(f"transcription failed: {_reason(exc)}", transient=True) from exc


def _resolve_device(device: str) -> str:
    if device != "auto":
        return device
    return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, av.error.FFmpegError):
        # PyAV's message embeds the file path; FFmpeg's own explanation is enough.
        return exc.strerror or type(exc).__name__
    return str(exc) or type(exc).__name__
