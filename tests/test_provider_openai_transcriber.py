"""The OpenAI transcriber, through the real `openai` SDK, against a local OpenAI-protocol server."""

from __future__ import annotations

import itertools
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from speaking_pipeline.config import MissingSettingError, Settings
from speaking_pipeline.transcription.base import TranscriptionError
from speaking_pipeline.transcription.openai_api import OpenAITranscriber
from speaking_pipeline.transcription.splitting import (
    decoded_pcm,
    frame_energy,
    split_for_upload,
)
from tests.fakes import fake_openai
from tests.fakes.fake_openai import FakeOpenAI, ScriptedError

AUDIO = Path(__file__).parent / "fixtures" / "audio"
PATH = "/v1/audio/transcriptions"


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with fake_openai.running() as server:
        yield server


def transcriber(fake: FakeOpenAI, **overrides: object) -> OpenAITranscriber:
    settings = Settings(
        _env_file=None,
        transcriber="openai",
        openai_api_key=fake.api_key,
        openai_base_url=fake.api_base,
    )
    return OpenAITranscriber.from_settings(settings, **{"max_retries": 2, **overrides})


def test_request_carries_model_file_name_language_and_word_timestamps(fake: FakeOpenAI) -> None:
    fake.transcript_text = lambda n: "so yesterday I go to the market"
    result = transcriber(fake).transcribe(AUDIO / "speech.webm", language="en-GB")

    [request] = fake.requests_to(PATH)
    assert request.form["model"] == "whisper-1"
    assert request.form["language"] == "en"
    assert request.form["response_format"] == "verbose_json"
    assert request.form["timestamp_granularities[]"] == ["word", "segment"]
    filename, content_type, data = request.files["file"]
    assert (filename, content_type) == ("speech.webm", "audio/webm")
    assert data == (AUDIO / "speech.webm").read_bytes()
    assert request.header("authorization") == f"Bearer {fake.api_key}"

    assert result.text == "so yesterday I go to the market"
    assert [w.word for w in result.words] == result.text.split()
    assert all(w.start < w.end for w in result.words)
    assert result.language == "en"
    assert result.model == "openai:whisper-1"
    assert result.duration_secs == pytest.approx(11.6, abs=0.1)


@pytest.mark.parametrize(
    ("name", "mime"),
    [
        ("speech.wav", "audio/wav"),
        ("speech.mp3", "audio/mpeg"),
        ("speech.m4a", "audio/mp4"),
        ("speech.ogg", "audio/ogg"),
    ],
)
def test_each_format_is_sent_under_its_own_name_and_type(
    fake: FakeOpenAI, name: str, mime: str
) -> None:
    transcriber(fake).transcribe(AUDIO / name)
    [request] = fake.requests_to(PATH)
    assert request.files["file"][:2] == (name, mime)
    # The session's language defaults to English.
    assert request.form["language"] == "en"


def test_gpt4o_transcribe_models_ask_for_json_without_timestamps(fake: FakeOpenAI) -> None:
    t = transcriber(fake, model="gpt-4o-mini-transcribe")
    result = t.transcribe(AUDIO / "speech.mp3", language="de")
    [request] = fake.requests_to(PATH)
    assert request.form["model"] == "gpt-4o-mini-transcribe"
    assert request.form["response_format"] == "json"
    assert "timestamp_granularities[]" not in request.form
    assert request.form["language"] == "de"
    assert result.text == "part 0 of the recording"
    assert result.words == []


def test_rate_limit_then_success_is_retried(fake: FakeOpenAI) -> None:
    fake.fail_next(PATH, fake_openai.rate_limited())
    result = transcriber(fake).transcribe(AUDIO / "speech.ogg")
    assert len(fake.requests_to(PATH)) == 2
    assert result.text == "part 0 of the recording"


def test_persistent_server_errors_become_a_transient_error(fake: FakeOpenAI) -> None:
    fake.fail_next(PATH, *[fake_openai.server_error()] * 3)
    with pytest.raises(TranscriptionError) as caught:
        transcriber(fake, max_retries=1).transcribe(AUDIO / "speech.ogg")
    assert caught.value.transient is True
    assert "500" in str(caught.value)
    assert len(fake.requests_to(PATH)) == 2


def test_rejected_key_fails_at_once_and_names_the_variable(fake: FakeOpenAI) -> None:
    t = OpenAITranscriber(api_key="sk-wrong-key-abcdef123456", base_url=fake.api_base)
    with pytest.raises(TranscriptionError) as caught:
        t.transcribe(AUDIO / "speech.ogg")
    message = str(caught.value)
    assert caught.value.transient is False
    assert message == "OpenAI rejected the API key (401): check OPENAI_API_KEY"
    assert "3456" not in message and "sk-" not in message
    assert len(fake.requests_to(PATH)) == 1


def test_unreachable_server_is_a_transient_error() -> None:
    with socket.socket() as sock:  # a port nothing listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    t = OpenAITranscriber(
        api_key="sk-anything-123456", base_url=f"http://127.0.0.1:{port}/v1", max_retries=0
    )
    with pytest.raises(TranscriptionError) as caught:
        t.transcribe(AUDIO / "speech.ogg")
    assert caught.value.transient is True
    assert "could not be reached" in str(caught.value)


def test_corrupt_audio_is_a_permanent_failure_with_the_vendor_reason(fake: FakeOpenAI) -> None:
    with pytest.raises(TranscriptionError) as caught:
        transcriber(fake).transcribe(AUDIO / "truncated.webm")
    assert caught.value.transient is False
    assert "truncated.webm" in str(caught.value)
    assert "corrupted or unsupported" in str(caught.value)
    assert len(fake.requests_to(PATH)) == 1


def test_quota_exhaustion_is_not_transient(fake: FakeOpenAI) -> None:
    fake.fail_next(
        PATH,
        *[
            ScriptedError(
                429,
                "You exceeded your current quota, please check your plan and billing details.",
                "insufficient_quota",
                "insufficient_quota",
            )
        ]
        * 3,
    )
    with pytest.raises(TranscriptionError) as caught:
        transcriber(fake, max_retries=1).transcribe(AUDIO / "speech.ogg")
    assert caught.value.transient is False
    assert "quota" in str(caught.value)


def test_unsupported_container_is_converted_to_flac(fake: FakeOpenAI, tmp_path: Path) -> None:
    source = tmp_path / "recording.mka"
    shutil.copy(AUDIO / "speech.webm", source)
    transcriber(fake).transcribe(source)
    [request] = fake.requests_to(PATH)
    name, mime, _data = request.files["file"]
    assert name.endswith(".flac") and mime == "audio/flac"


def test_large_file_is_split_at_pauses_and_stitched(
    fake: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = 100_000
    fake.max_file_bytes = limit  # the fake refuses bigger uploads, as the real API does
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    source = AUDIO / "speech.wav"  # 371 KB, 11.6 s
    assert source.stat().st_size > limit

    result = transcriber(fake, max_upload_bytes=limit).transcribe(source)

    requests = fake.requests_to(PATH)
    assert len(requests) >= 4
    for request in requests:
        name, mime, data = request.files["file"]
        assert name.endswith(".flac") and mime == "audio/flac"
        assert len(data) <= limit
    # Each piece gets the text so far as its prompt, for consistent spelling across cuts.
    assert "prompt" not in requests[0].form
    assert requests[1].form["prompt"] == "part 0 of the recording"
    assert result.text == " ".join(f"part {n} of the recording" for n in range(len(requests)))
    starts = [w.start for w in result.words]
    assert starts == sorted(starts)
    assert result.words[-1].end <= 11.7
    assert result.words[-1].start > 9  # shifted by its piece's offset
    assert result.duration_secs == pytest.approx(11.6, abs=0.05)
    # No audio is left behind in temporary storage.
    assert list(tmp_path.iterdir()) == []


def test_cuts_fall_in_pauses(tmp_path: Path) -> None:
    source = AUDIO / "speech.wav"
    pieces = split_for_upload(source, tmp_path, max_bytes=100_000, max_piece_secs=600)
    assert len(pieces) > 1
    assert pieces[0].start_secs == 0 and pieces[-1].end_secs == pytest.approx(11.6, abs=0.01)
    assert all(a.end_secs == b.start_secs for a, b in itertools.pairwise(pieces))
    with decoded_pcm(source, tmp_path) as samples:
        energy = frame_energy(samples)
    smooth = np.convolve(energy, np.ones(10) / 10, "same")
    for piece in pieces[1:]:
        assert smooth[int(piece.start_secs * 100)] < 0.1 * energy.mean()


def test_missing_key_fails_at_first_use_naming_the_variable() -> None:
    settings = Settings(_env_file=None, transcriber="openai", openai_api_key=None)
    t = OpenAITranscriber.from_settings(settings)  # constructing needs no key
    with pytest.raises(MissingSettingError) as caught:
        t.transcribe(AUDIO / "speech.ogg")
    assert caught.value.variable == "OPENAI_API_KEY"
    assert "TRANSCRIBER=openai" in str(caught.value)
