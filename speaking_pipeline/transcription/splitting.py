"""Splits long audio at quiet moments into 16 kHz mono FLAC pieces small enough for an API."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 16_000
# 16-bit mono PCM; FLAC never needs much more than this, so it bounds a piece's size.
PCM_BYTES_PER_SEC = SAMPLE_RATE * 2
_FRAME = SAMPLE_RATE // 100  # 10 ms energy frames
_SMOOTH_FRAMES = 10  # judge quietness over 100 ms, so a cut never lands inside a word


class AudioDecodeError(ValueError):
    """The file could not be decoded as audio."""


@dataclass(frozen=True)
class Piece:
    path: Path
    start_secs: float
    end_secs: float


@contextmanager
def decoded_pcm(source: Path, workdir: Path) -> Iterator[npt.NDArray[np.int16]]:
    """Decode `source` to 16 kHz mono int16, kept in a file under `workdir` and memory-mapped.

    Audio of an hour is ~115 MB as PCM, so it goes to disk rather than memory.
    """
    raw = workdir / "decoded.pcm"
    try:
        with av.open(str(source)) as container, raw.open("wb") as out:
            if not container.streams.audio:
                raise AudioDecodeError(f"{source.name} has no audio stream")
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            for frame in container.decode(stream):
                for converted in resampler.resample(frame):
                    out.write(converted.to_ndarray().tobytes())
            for converted in resampler.resample(None):
                out.write(converted.to_ndarray().tobytes())
    except av.error.FFmpegError as exc:
        raise AudioDecodeError(f"{source.name} could not be decoded as audio: {exc}") from exc
    if raw.stat().st_size < 2:
        raise AudioDecodeError(f"{source.name} contains no audio samples")
    samples = np.memmap(raw, dtype=np.int16, mode="r")
    try:
        yield samples
    finally:
        # Release the mapping before the caller deletes the file.
        del samples


def frame_energy(samples: npt.NDArray[np.int16]) -> npt.NDArray[np.float32]:
    """Mean square amplitude of every 10 ms frame, computed a minute at a time."""
    frames = len(samples) // _FRAME
    energy = np.empty(frames, dtype=np.float32)
    block = 6000  # frames per step: one minute
    for first in range(0, frames, block):
        last = min(first + block, frames)
        chunk = np.asarray(samples[first * _FRAME : last * _FRAME], dtype=np.float32)
        energy[first:last] = np.mean(chunk.reshape(-1, _FRAME) ** 2, axis=1)
    return energy


def find_cuts(
    energy: npt.NDArray[np.float32], *, total_secs: float, max_piece_secs: float
) -> list[float]:
    """Cut points (seconds) that make pieces of at most `max_piece_secs`, at quiet moments.

    The audio is divided evenly into n pieces of at most 70% of the limit, so no piece ends up
    as a tiny tail; each cut then moves to the quietest 100 ms within ±15% of the limit around
    its even position, which keeps every piece within the limit.
    """
    if total_secs <= max_piece_secs:
        return []
    n = math.ceil(total_secs / (0.7 * max_piece_secs))
    window = 0.15 * max_piece_secs
    smooth = np.convolve(energy, np.ones(_SMOOTH_FRAMES, dtype=np.float32) / _SMOOTH_FRAMES, "same")
    frame_secs = _FRAME / SAMPLE_RATE
    cuts: list[float] = []
    for i in range(1, n):
        ideal = i * total_secs / n
        lo = max(0, int((ideal - window) / frame_secs))
        hi = min(len(smooth), int((ideal + window) / frame_secs) + 1)
        if hi <= lo:
            cuts.append(ideal)
            continue
        quietest = lo + int(np.argmin(smooth[lo:hi]))
        cuts.append(quietest * frame_secs)
    return cuts


def encode_flac(samples: npt.NDArray[np.int16], path: Path) -> None:
    with av.open(str(path), "w", format="flac") as out:
        stream = out.add_stream("flac", rate=SAMPLE_RATE, layout="mono")
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples).reshape(1, -1), format="s16", layout="mono"
        )
        frame.sample_rate = SAMPLE_RATE
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def split_for_upload(
    source: Path, workdir: Path, *, max_bytes: int, max_piece_secs: float
) -> list[Piece]:
    """Decode `source` and write FLAC pieces of at most `max_bytes` each into `workdir`.

    Raises AudioDecodeError when `source` is not decodable audio.
    """
    limit_secs = min(max_piece_secs, 0.9 * max_bytes / PCM_BYTES_PER_SEC)
    with decoded_pcm(source, workdir) as samples:
        total_secs = len(samples) / SAMPLE_RATE
        energy = frame_energy(samples)
        # FLAC headers make a very short piece a little larger than its PCM; shrink and retry.
        for _ in range(5):
            cuts = find_cuts(energy, total_secs=total_secs, max_piece_secs=limit_secs)
            bounds = [0.0, *cuts, total_secs]
            pieces: list[Piece] = []
            for index, (start, end) in enumerate(itertools.pairwise(bounds)):
                path = workdir / f"piece-{index:04d}.flac"
                first, last = int(start * SAMPLE_RATE), int(end * SAMPLE_RATE)
                encode_flac(samples[first:last], path)
                pieces.append(Piece(path, first / SAMPLE_RATE, last / SAMPLE_RATE))
            if all(p.path.stat().st_size <= max_bytes for p in pieces):
                return pieces
            for piece in pieces:
                piece.path.unlink(missing_ok=True)
            limit_secs *= 0.7
    raise AudioDecodeError(f"{source.name} could not be split into pieces of {max_bytes} bytes")
