"""Run workers share the cores among their pool processes: the transcriber's threads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from speaking_pipeline.config import Settings
from speaking_pipeline.orchestration import workers
from speaking_pipeline.transcription.whisper_local import LocalWhisperTranscriber


def test_each_worker_process_gets_its_share_of_the_cores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(workers.WHISPER_CPU_THREADS_ENV, raising=False)
    monkeypatch.setattr(workers, "cores", lambda: 8)
    assert workers.worker_environment(2) == {"WHISPER_CPU_THREADS": "4"}
    assert workers.worker_environment(3) == {"WHISPER_CPU_THREADS": "2"}
    # More processes than cores: one thread each, never zero (CTranslate2's "default").
    assert workers.worker_environment(16) == {"WHISPER_CPU_THREADS": "1"}
    assert workers.worker_environment(0) == {"WHISPER_CPU_THREADS": "8"}


def test_an_explicit_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(workers.WHISPER_CPU_THREADS_ENV, "3")
    assert workers.worker_environment(2, Settings().whisper_cpu_threads) == {}
    # 0 is "automatic", as when it is unset.
    monkeypatch.setattr(workers, "cores", lambda: 8)
    monkeypatch.setenv(workers.WHISPER_CPU_THREADS_ENV, "0")
    assert workers.worker_environment(2, Settings().whisper_cpu_threads) == {
        "WHISPER_CPU_THREADS": "4"
    }


def test_the_transcriber_takes_its_threads_from_the_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WHISPER_CPU_THREADS", "1")
    # Only the directory's shape is checked before the model is first used.
    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt"):
        (tmp_path / name).write_text("")
    monkeypatch.setenv("WHISPER_MODEL_DIR", str(tmp_path))
    assert LocalWhisperTranscriber.from_settings(Settings()).cpu_threads == 1
    monkeypatch.delenv("WHISPER_CPU_THREADS")
    assert LocalWhisperTranscriber.from_settings(Settings()).cpu_threads == 0


def test_cores_is_what_this_process_may_use() -> None:
    assert 1 <= workers.cores() <= (os.cpu_count() or 1)
