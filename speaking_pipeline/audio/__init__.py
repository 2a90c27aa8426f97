"""Audio validation: is an upload decodable audio, and what is it."""

from speaking_pipeline.audio.probe import (
    SNIFF_BYTES,
    AudioInfo,
    InvalidAudioError,
    probe_audio,
    sniff_extension,
)

__all__ = ["SNIFF_BYTES", "AudioInfo", "InvalidAudioError", "probe_audio", "sniff_extension"]
