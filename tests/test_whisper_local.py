"""The packaged Whisper model is assembled safely, and transcribes real speech offline."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from speaking_pipeline.transcription.base import TranscriptionError, TranscriptResult
from speaking_pipeline.transcription.model_files import (
    WHISPER_BASE_SHA256,
    ModelFilesError,
    ModelSource,
    ensure_whisper_base,
    resolve_model_dir,
)
from speaking_pipeline.transcription.whisper_local import (
    LocalWhisperTranscriber,
    normalize_language,
)

AUDIO = Path(__file__).parent / "fixtures" / "audio"
SPOKEN_TEXT = (AUDIO / "speech.txt").read_text()
SOX_DURATION_SECS = 11.601313  # `soxi -D speech.wav`, as in test_audio_probe.py


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DATA_DIR whose packaged base model is assembled once for the whole run."""
    data = tmp_path_factory.mktemp("data")
    ensure_whisper_base(data / "models" / "whisper-base")
    return data


@pytest.fixture(scope="session")
def model_dir(data_dir: Path) -> Path:
    return data_dir / "models" / "whisper-base"


@pytest.fixture(scope="session")
def transcriber(model_dir: Path) -> LocalWhisperTranscriber:
    return LocalWhisperTranscriber(model_dir, device="cpu")


# ---- model assembly ------------------------------------------------------------------


def test_packaged_model_is_assembled_and_verified(model_dir: Path) -> None:
    assert _sha256(model_dir / "model.bin") == WHISPER_BASE_SHA256
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        assert (model_dir / name).stat().st_size > 0
    assert not list(model_dir.glob(".partial-*"))


def test_later_calls_do_not_rewrite_the_model(model_dir: Path) -> None:
    before = (model_dir / "model.bin").stat().st_mtime_ns

    started = time.perf_counter()
    assert ensure_whisper_base(model_dir) == model_dir.resolve()
    elapsed = time.perf_counter() - started

    assert (model_dir / "model.bin").stat().st_mtime_ns == before
    # Verified once in this process already: a second call only stats files.
    assert elapsed < 0.05


def test_assembly_concatenates_parts_in_order(tmp_path: Path) -> None:
    source = _fake_source(tmp_path / "src", b"first half|", b"second half")
    target = tmp_path / "model"

    assert ensure_whisper_base(target, source) == target.resolve()

    assert (target / "model.bin").read_bytes() == b"first half|second half"
    assert (target / "config.json").read_text() == '{"fake": "config.json"}'
    assert json.loads((target / ".assembled.json").read_text())["sha256"] == source.sha256


def test_wrong_hash_is_a_clear_error_and_leaves_no_model(tmp_path: Path) -> None:
    good = _fake_source(tmp_path / "src", b"first half|", b"second half")
    corrupt_part = tmp_path / "src" / "model.bin.part2"
    corrupt_part.write_bytes(b"second HALF")  # same size, different bytes
    target = tmp_path / "model"

    with pytest.raises(ModelFilesError, match=r"SHA-256.*reinstall"):
        ensure_whisper_base(target, good)

    assert not (target / "model.bin").exists()
    assert not (target / ".assembled.json").exists()
    assert not list(target.glob(".partial-*"))


def test_damaged_model_on_disk_is_reassembled_on_first_use(tmp_path: Path) -> None:
    source = _fake_source(tmp_path / "src", b"first half|", b"second half")
    target = tmp_path / "model"
    target.mkdir()
    # Looks complete (marker, right size) but the bytes rotted: only hashing can tell.
    (target / "model.bin").write_bytes(b"xxxxxxxxxxxxxxxxxxxxxx")
    (target / ".assembled.json").write_text(json.dumps({"sha256": source.sha256, "size": 22}))
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        (target / name).write_text("{}")

    ensure_whisper_base(target, source)

    assert (target / "model.bin").read_bytes() == b"first half|second half"


def test_concurrent_processes_assemble_one_good_model(tmp_path: Path) -> None:
    part = bytes(range(256)) * 32_768  # 8 MiB: writing takes long enough for overlap
    source = _fake_source(tmp_path / "src", part, part[::-1])
    target = tmp_path / "model"

    context = multiprocessing.get_context("spawn")
    start_together = context.Barrier(3)
    workers = [
        context.Process(target=_assemble_in_step, args=(start_together, target, source))
        for _ in range(3)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert [worker.exitcode for worker in workers] == [0, 0, 0]
    assert _sha256(target / "model.bin") == source.sha256
    assert not list(target.glob(".partial-*"))


def test_configured_model_dir_wins(tmp_path: Path, data_dir: Path) -> None:
    custom = tmp_path / "my-model"
    custom.mkdir()
    (custom / "model.bin").write_bytes(b"any CTranslate2 model")

    assert resolve_model_dir(custom, data_dir) == custom


def test_configured_model_dir_without_model_bin_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelFilesError, match=r"WHISPER_MODEL_DIR .* model\.bin"):
        resolve_model_dir(tmp_path / "nowhere", tmp_path)


def test_default_model_dir_is_under_data_dir(data_dir: Path, model_dir: Path) -> None:
    assert resolve_model_dir(None, data_dir) == model_dir.resolve()


# ---- transcription -------------------------------------------------------------------


def test_transcribes_wav_and_detects_english(transcriber: LocalWhisperTranscriber) -> None:
    started = time.perf_counter()
    result = transcriber.transcribe(AUDIO / "speech.wav")
    print(f"speech.wav ({SOX_DURATION_SECS:.1f} s) took {time.perf_counter() - started:.2f} s")

    assert result.language == "en"
    _assert_faithful(result)


def test_transcribes_browser_webm(transcriber: LocalWhisperTranscriber) -> None:
    started = time.perf_counter()
    result = transcriber.transcribe(AUDIO / "speech.webm", language="en-US")
    print(f"speech.webm ({SOX_DURATION_SECS:.1f} s) took {time.perf_counter() - started:.2f} s")

    assert result.language == "en"
    _assert_faithful(result)


def test_fillers_and_learner_errors_are_kept(transcriber: LocalWhisperTranscriber) -> None:
    words = _tokens(transcriber.transcribe(AUDIO / "speech.mp3", language="en").text)

    # The analysis needs what was said, not a corrected version of it.
    assert any(word.startswith("um") for word in words)
    assert "don't" in words
    assert "yesterday i go" in " ".join(words)


@pytest.mark.parametrize("name", ["fake.mp3", "truncated.m4a", "truncated.webm"])
def test_undecodable_audio_is_a_permanent_error(
    transcriber: LocalWhisperTranscriber, name: str
) -> None:
    with pytest.raises(TranscriptionError, match="could not decode audio") as caught:
        transcriber.transcribe(AUDIO / name)
    assert caught.value.transient is False
    assert str(AUDIO) not in str(caught.value)


def test_unsupported_language_is_a_permanent_error(
    transcriber: LocalWhisperTranscriber,
) -> None:
    with pytest.raises(TranscriptionError, match="klingon") as caught:
        transcriber.transcribe(AUDIO / "speech.wav", language="klingon")
    assert caught.value.transient is False


def test_missing_model_fails_on_use_not_on_construction(tmp_path: Path) -> None:
    lazy = LocalWhisperTranscriber(tmp_path / "no-model", device="cpu")

    with pytest.raises(TranscriptionError, match="could not load the Whisper model") as caught:
        lazy.transcribe(AUDIO / "speech.wav")
    assert caught.value.transient is False


def test_model_loads_once_for_concurrent_callers(model_dir: Path) -> None:
    class CountingTranscriber(LocalWhisperTranscriber):
        loads = 0

        def _load(self) -> Any:
            CountingTranscriber.loads += 1
            time.sleep(0.2)  # widen the window in which a second load could start
            return super()._load()

    shared = CountingTranscriber(model_dir, device="cpu")
    models: list[object] = []
    threads = [
        threading.Thread(target=lambda: models.append(shared._get_model())) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert CountingTranscriber.loads == 1
    assert len(models) == 3 and all(model is models[0] for model in models)


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("en", "en"), ("en-US", "en"), ("EN_gb", "en"), ("de", "de"), (None, None), ("", None)],
)
def test_normalize_language(tag: str | None, expected: str | None) -> None:
    assert normalize_language(tag) == expected


def test_normalize_language_rejects_unknown() -> None:
    with pytest.raises(ValueError, match="xx-YY"):
        normalize_language("xx-YY")


# ---- helpers -------------------------------------------------------------------------


def _assert_faithful(result: TranscriptResult) -> None:
    assert word_error_rate(SPOKEN_TEXT, result.text) <= 0.25, result.text
    assert result.duration_secs == pytest.approx(SOX_DURATION_SECS, rel=0.10)
    assert result.model == "faster-whisper/whisper-base"

    assert len(result.words) >= 0.75 * len(_tokens(SPOKEN_TEXT))
    starts = [word.start for word in result.words]
    assert starts == sorted(starts), "word start times go backwards"
    for word in result.words:
        assert 0 <= word.start <= word.end <= SOX_DURATION_SECS + 0.5
        assert word.probability is not None and 0 <= word.probability <= 1
    for before, after in zip(result.words, result.words[1:], strict=False):
        assert before.end <= after.start + 0.01, (before, after)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, by edit distance."""
    # jiwer does this too, but it is not a dependency and the algorithm is ten lines.
    ref, hyp = _tokens(reference), _tokens(hypothesis)
    previous = list(range(len(hyp) + 1))
    for i, ref_word in enumerate(ref, start=1):
        current = [i]
        for j, hyp_word in enumerate(hyp, start=1):
            current.append(
                min(
                    previous[j] + 1,
                    current[j - 1] + 1,
                    previous[j - 1] + (ref_word != hyp_word),
                )
            )
        previous = current
    return previous[-1] / max(len(ref), 1)


def test_word_error_rate_counts_edits() -> None:
    assert word_error_rate("he don't like it", "He don't like it.") == 0
    assert word_error_rate("a b c d", "a x c") == 0.5  # one substitution, one deletion
    assert word_error_rate("a b", "a b c d") == 1.0  # two insertions


def _tokens(text: str) -> list[str]:
    # "Umm" and "um" are the same filler to a listener.
    words = re.findall(r"[a-z']+", text.lower())
    return ["um" if re.fullmatch(r"u+m+", word) else word for word in words]


def _fake_source(folder: Path, part1: bytes, part2: bytes) -> ModelSource:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.bin.part1").write_bytes(part1)
    (folder / "model.bin.part2").write_bytes(part2)
    side_files = []
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        (folder / name).write_text(json.dumps({"fake": name}))
        side_files.append(folder / name)
    return ModelSource(
        parts=(folder / "model.bin.part1", folder / "model.bin.part2"),
        side_files=tuple(side_files),
        sha256=hashlib.sha256(part1 + part2).hexdigest(),
    )


def _assemble_in_step(barrier: Any, target: Path, source: ModelSource) -> None:
    barrier.wait(timeout=30)
    ensure_whisper_base(target, source)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---- verbatim output: what the speaker did not say is dropped ---------------------------


def _segment(text: str, start: float, words: list[tuple[str, float, float]], **kw: float) -> Any:
    from faster_whisper.transcribe import Segment
    from faster_whisper.transcribe import Word as WhisperWord

    return Segment(
        id=0,
        seek=0,
        start=start,
        end=words[-1][2] if words else start,
        text=text,
        tokens=[],
        avg_logprob=kw.get("avg_logprob", -0.3),
        compression_ratio=kw.get("compression_ratio", 1.4),
        no_speech_prob=kw.get("no_speech_prob", 0.05),
        words=[WhisperWord(s, e, w, 0.9) for w, s, e in words],
        temperature=0.0,
    )


def test_zero_length_words_at_the_end_of_the_clip_are_dropped() -> None:
    from speaking_pipeline.transcription.whisper_local import verbatim_segments

    said = _segment(
        " It depend of the weather.",
        0.0,
        [
            (" It", 0.0, 0.3),
            (" depend", 0.3, 0.7),
            (" of", 0.7, 0.8),
            (" the", 0.8, 0.9),
            (" weather.", 0.9, 1.4),
        ],
    )
    invented = _segment(" Thank you.", 1.5, [(" Thank", 2.0, 2.0), (" you.", 2.0, 2.0)])
    kept = verbatim_segments([said, invented], duration=2.0)
    assert [k.text for k in kept] == ["It depend of the weather."]
    assert [w.word for w in kept[0].words][-1] == "weather."


def test_a_repeated_utterance_is_kept_once_and_unreliable_segments_go() -> None:
    from speaking_pipeline.transcription.whisper_local import verbatim_segments

    once = _segment(
        " I must to improve.",
        0.0,
        [(" I", 0.0, 0.2), (" must", 0.2, 0.5), (" to", 0.5, 0.6), (" improve.", 0.6, 1.1)],
    )
    again = _segment(
        " I must to improve.",
        1.2,
        [(" I", 1.2, 1.4), (" must", 1.4, 1.7), (" to", 1.7, 1.8), (" improve.", 1.8, 2.3)],
    )
    silence = _segment(
        " Subscribe to my channel.",
        3.0,
        [(" Subscribe", 3.0, 3.5), (" to", 3.5, 3.6), (" my", 3.6, 3.8), (" channel.", 3.8, 4.4)],
        no_speech_prob=0.9,
        avg_logprob=-1.4,
    )
    loop = _segment(
        " the the the the the the",
        5.0,
        [(" the", 5.0 + i / 10, 5.05 + i / 10) for i in range(6)],
        compression_ratio=3.1,
    )
    kept = verbatim_segments([once, again, silence, loop], duration=10.0)
    assert [k.text for k in kept] == ["I must to improve."]


# ---- learner errors survive: the decoder's grammar "repairs" are checked against the audio ---


@pytest.mark.parametrize(
    ("name", "spoken"),
    [
        ("learner-cook.wav", ["my father cook for", "he always make too much"]),
        ("learner-walk.wav", ["yesterday i walk to the park", "we talk about"]),
    ],
)
def test_learner_forms_come_back_as_spoken(
    transcriber: LocalWhisperTranscriber, name: str, spoken: list[str]
) -> None:
    result = transcriber.transcribe(AUDIO / name, language="en")

    said = " ".join(_tokens(result.text))
    for phrase in spoken:
        assert phrase in said, result.text
    # Re-scored words keep a timing inside the clip, in order.
    starts = [word.start for word in result.words]
    assert starts == sorted(starts)
    assert [w.word for w in result.words] == result.text.split()


def test_standard_english_is_left_as_it_was_said(transcriber: LocalWhisperTranscriber) -> None:
    result = transcriber.transcribe(AUDIO / "standard-cousin.wav", language="en")

    assert " ".join(_tokens(result.text)) == (
        "my cousin lives in a big city and he works in a shop he has two dogs"
    )


def test_window_encodings_are_released_after_transcribing(model_dir: Path) -> None:
    transcriber = LocalWhisperTranscriber(model_dir, device="cpu")
    model = transcriber._get_model()
    transcriber.transcribe(AUDIO / "learner-walk.wav", language="en")

    # The encoder outputs are kept only while a transcription runs (they are large).
    assert model.capture.windows is None
