"""Checks that an uploaded file really is decodable audio, and describes it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import av.error

# How many leading bytes `sniff_extension` wants; enough to reach the WebM DocType.
SNIFF_BYTES = 64

# Decoding this many frames proves the codec and the data agree without reading a
# long file to the end (a frame is 20-60 ms of audio in the usual codecs).
_FRAMES_TO_CHECK = 8

_MIME_TYPES = {
    "webm": "audio/webm",
    "mkv": "audio/x-matroska",
    "ogg": "audio/ogg",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "mp4": "audio/mp4",
    "aac": "audio/aac",
    "wav": "audio/wav",
    "flac": "audio/flac",
    "aiff": "audio/aiff",
}

# FFmpeg demuxer names that are not already the usual file extension.
_FORMAT_EXTENSIONS = {
    "aiff": "aiff",
    "caf": "caf",
    "amr": "amr",
}


class InvalidAudioError(ValueError):
    """The file is not audio this system can decode; the message says what is wrong."""


@dataclass(frozen=True)
class AudioInfo:
    format_name: str
    codec: str
    sample_rate: int
    channels: int
    duration_secs: float
    extension: str

    @property
    def mime_type(self) -> str:
        return _MIME_TYPES.get(self.extension, "application/octet-stream")


def sniff_extension(first_bytes: bytes) -> str | None:
    """Guess the container from magic bytes; None when it looks like no audio format.

    A cheap first check while an upload streams in; `probe_audio` is the real one.
    """
    head = first_bytes[:SNIFF_BYTES]
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:3] == b"ID3":
        return "mp3"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    if head[4:8] == b"ftyp":
        return "m4a" if head[8:11] in (b"M4A", b"M4B") else "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        # EBML: the DocType element says whether this is WebM or general Matroska.
        return "mkv" if b"matroska" in head else "webm"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        # An MPEG frame sync; layer bits 00 mean ADTS (raw AAC) rather than MP1/2/3.
        return "aac" if head[1] & 0x06 == 0 else "mp3"
    return None


def probe_audio(path: Path) -> AudioInfo:
    """Open and partly decode `path`; raise InvalidAudioError unless it is usable audio."""
    with path.open("rb") as handle:
        first_bytes = handle.read(SNIFF_BYTES)
    if not first_bytes:
        raise InvalidAudioError("not an audio file: the file is empty")
    sniffed = sniff_extension(first_bytes)

    try:
        container = av.open(str(path), mode="r", metadata_errors="ignore")
    except av.error.FFmpegError as exc:
        if sniffed is None:
            raise InvalidAudioError(
                "not an audio file: its content is not a recognised audio format"
            ) from exc
        raise InvalidAudioError(
            f"could not decode audio: the file looks like {sniffed} but is damaged or "
            f"truncated ({_reason(exc)})"
        ) from exc

    with container:
        if not container.streams.audio:
            raise InvalidAudioError("no audio stream: the file contains no audio")
        stream = container.streams.audio[0]
        has_video = bool(container.streams.video)
        format_name = container.format.name
        codec = stream.codec_context.codec.canonical_name
        header_duration = _header_duration(container, stream)

        try:
            # Without a duration in the header (MediaRecorder's WebM), the only way to
            # learn the length is to decode to the end.
            decoded_until = _decode(container, stream, to_end=header_duration is None)
        except av.error.FFmpegError as exc:
            raise InvalidAudioError(f"could not decode audio: {_reason(exc)}") from exc
        if decoded_until is None:
            raise InvalidAudioError("could not decode audio: no audio frames in the file")
        sample_rate = stream.codec_context.sample_rate or stream.rate
        channels = stream.codec_context.channels

    duration = header_duration if header_duration is not None else decoded_until
    return AudioInfo(
        format_name=format_name,
        codec=codec,
        sample_rate=int(sample_rate),
        channels=int(channels),
        duration_secs=round(duration, 3),
        extension=_extension(format_name, sniffed, has_video=has_video),
    )


def _header_duration(
    container: av.container.InputContainer, stream: av.AudioStream
) -> float | None:
    if container.duration is not None and container.duration > 0:
        return float(container.duration / av.time_base)
    if stream.duration is not None and stream.duration > 0 and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    return None


def _decode(
    container: av.container.InputContainer, stream: av.AudioStream, *, to_end: bool
) -> float | None:
    """Decode frames and return where the last one ends, in seconds (None: no frames)."""
    end: float | None = None
    counted_samples = 0
    frames = 0
    for frame in container.decode(stream):
        if frame.samples == 0:
            continue
        frames += 1
        counted_samples += frame.samples
        if frame.time is not None:
            frame_end = frame.time + frame.samples / frame.sample_rate
        else:
            frame_end = counted_samples / frame.sample_rate
        end = frame_end if end is None else max(end, frame_end)
        if not to_end and frames >= _FRAMES_TO_CHECK:
            break
    return end


def _extension(format_name: str, sniffed: str | None, *, has_video: bool) -> str:
    names = format_name.split(",")
    if "matroska" in names or "webm" in names:
        return "mkv" if sniffed == "mkv" else "webm"
    if "mp4" in names or "mov" in names:
        # Audio-only MP4 is conventionally .m4a whatever its brand says.
        return "mp4" if has_video else "m4a"
    first = names[0]
    return _FORMAT_EXTENSIONS.get(first, first)


def _reason(exc: av.error.FFmpegError) -> str:
    # PyAV's str() includes the file name; callers see only FFmpeg's own explanation.
    return exc.strerror or type(exc).__name__
