"""The audio store contract shared by the local and S3 backends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol


class AudioNotFoundError(FileNotFoundError):
    """The object is not in storage (never uploaded, or already deleted)."""


class AudioStore(Protocol):
    backend: str

    def put(self, key: str, data: BinaryIO, content_type: str) -> None:
        """Store a stream under `key`."""
        ...

    @contextmanager
    def local_copy(self, key: str) -> Iterator[Path]:
        """A readable local file with the object's bytes, removed afterwards if temporary."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Delete the object; deleting a missing object is not an error."""
        ...

    def keys(self, prefix: str) -> Iterator[str]:
        """Every stored key under `prefix` (for the sweep of audio left behind)."""
        ...


AUDIO_PREFIX = "sessions/"


def session_of_key(key: str) -> str | None:
    """The session id inside a key made by `audio_key`, else None."""
    parts = key.split("/")
    if len(parts) == 4 and parts[0] == "sessions" and parts[3].startswith("audio."):
        return parts[2]
    return None


def audio_key(user_id: str, session_id: str, extension: str) -> str:
    return f"sessions/{user_id}/{session_id}/audio.{extension}"
