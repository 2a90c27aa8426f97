"""Audio validation: real recordings pass with the right facts, anything else is refused."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from speaking_pipeline.audio import SNIFF_BYTES, InvalidAudioError, probe_audio, sniff_extension

AUDIO = Path(__file__).parent / "fixtures" / "audio"

# `soxi -D speech.wav` when the fixtures were made (see tests/fixtures/make_fixtures.sh);
# every other format was encoded from that file.
SOX_DURATION_SECS = 11.601313


@pytest.mark.parametrize(
    ("name", "extension", "codec", "format_name"),
    [
        ("speech.wav", "wav", "pcm_s16le", "wav"),
        ("speech.webm", "webm", "opus", "matroska,webm"),
        ("speech.ogg", "ogg", "vorbis", "ogg"),
        ("speech.mp3", "mp3", "mp3", "mp3"),
        ("speech.m4a", "m4a", "aac", "mov,mp4,m4a,3gp,3g2,mj2"),
    ],
)
def test_probe_describes_each_format(
    name: str, extension: str, codec: str, format_name: str
) -> None:
    info = probe_audio(AUDIO / name)

    assert info.extension == extension
    assert info.codec == codec
    assert info.format_name == format_name
    assert info.channels == 1
    assert info.sample_rate in (16000, 48000)
    assert info.duration_secs == pytest.approx(SOX_DURATION_SECS, rel=0.10)
    assert info.mime_type.startswith("audio/")


def test_webm_without_duration_is_decoded_to_the_end() -> None:
    # The fixture was written to a pipe like MediaRecorder output, so its header has no
    # duration; a length near zero would mean only the first frames were counted.
    import av

    with av.open(str(AUDIO / "speech.webm")) as container:
        assert container.duration is None

    assert probe_audio(AUDIO / "speech.webm").duration_secs == pytest.approx(
        SOX_DURATION_SECS, rel=0.02
    )


def test_mime_types_match_extensions() -> None:
    assert probe_audio(AUDIO / "speech.mp3").mime_type == "audio/mpeg"
    assert probe_audio(AUDIO / "speech.webm").mime_type == "audio/webm"
    assert probe_audio(AUDIO / "speech.m4a").mime_type == "audio/mp4"


def test_text_with_an_audio_name_is_not_audio() -> None:
    with pytest.raises(InvalidAudioError, match="not an audio file"):
        probe_audio(AUDIO / "fake.mp3")


@pytest.mark.parametrize(("name", "kind"), [("truncated.m4a", "m4a"), ("truncated.webm", "webm")])
def test_truncated_files_are_refused_as_undecodable(name: str, kind: str) -> None:
    with pytest.raises(InvalidAudioError, match=rf"could not decode audio: .*{kind}") as caught:
        probe_audio(AUDIO / name)
    # Error messages go to users and logs; they must not carry server paths.
    assert str(AUDIO) not in str(caught.value)


def test_image_has_no_audio_stream(tmp_path: Path) -> None:
    image = tmp_path / "picture.webm"
    image.write_bytes(_one_pixel_png())

    with pytest.raises(InvalidAudioError, match="no audio stream"):
        probe_audio(image)


def test_empty_file_is_not_audio(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")

    with pytest.raises(InvalidAudioError, match="empty"):
        probe_audio(empty)


def test_random_bytes_are_not_audio(tmp_path: Path) -> None:
    garbage = tmp_path / "noise.ogg"
    garbage.write_bytes(bytes((i * 7919 + 13) % 251 for i in range(20_000)))

    with pytest.raises(InvalidAudioError):
        probe_audio(garbage)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("speech.wav", "wav"),
        ("speech.webm", "webm"),
        ("speech.ogg", "ogg"),
        ("speech.mp3", "mp3"),
        ("speech.m4a", "m4a"),
        ("fake.mp3", None),
        ("speech.txt", None),
    ],
)
def test_sniff_extension_on_fixture_headers(name: str, expected: str | None) -> None:
    assert sniff_extension((AUDIO / name).read_bytes()[:SNIFF_BYTES]) == expected


@pytest.mark.parametrize(
    ("first_bytes", "expected"),
    [
        (b"fLaC\x00\x00\x00\x22", "flac"),
        (b"\xff\xfb\x90\x64", "mp3"),  # MPEG-1 layer III frame, no ID3 tag
        (b"\xff\xf1\x50\x80", "aac"),  # ADTS frame: same sync, layer bits 00
        (b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00", "mp4"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska", "mkv"),
        (b"FORM\x00\x00\x10\x00AIFF", "aiff"),
        (b"RIFF\x24\x00\x00\x00AVI ", None),  # RIFF, but a video container
        (b"\x89PNG\r\n\x1a\n", None),
        (b"%PDF-1.7", None),
        (b"", None),
    ],
)
def test_sniff_extension_on_magic_bytes(first_bytes: bytes, expected: str | None) -> None:
    assert sniff_extension(first_bytes) == expected


def _one_pixel_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )
