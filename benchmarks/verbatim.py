"""Do learner errors survive transcription? Synthesised speech with planted error spans.

Each text below (written for this benchmark) contains learner errors, marked [like this]. It
is spoken by espeak-ng in several voices and at several speeds, transcribed by the local
Whisper model, and we count the planted spans that come back word for word, plus the word
error rate against the text as written. The same clips are also decoded with the settings
used before (prompt, beam 2, conditioning on previous text) and without the learner-variant
re-scoring, as same-run baselines.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
import wave
from collections.abc import Callable
from pathlib import Path

TEXTS = (
    "Every morning my brother [go to office] by bus. [He don't like] driving in the city.",
    "The price [depend of] the season. In winter it is cheaper, and the hotels are quiet.",
    "At school I made [many mistake] in my essays. Now I [must to improve] my writing.",
    "Yesterday we [was late] for the film, so we [buy] the tickets for the next show.",
    "My teacher gave me [many informations] about the exam. She [explain me] the rules.",
    "Last year I [visit] my aunt in Spain. [She have] a small house near the sea.",
    "I am [interested about] history. [My friends is] more interested in football.",
    "We [discussed about] the plan for an hour. Then [everybody go] home.",
)
# Written later (with the re-scoring) as a second check; the re-scoring's two settings were
# chosen on both sets together, so neither is a strict hold-out.
MORE_TEXTS = (
    "My sister [work in] a bank. She [start] at eight and she [finish] at five.",
    "Two years ago I [live] in a small village. There [was many] trees around [the my] house.",
    "I want [to visiting] London because [it have] many museums and old building.",
    "[He can to swim] very well, but he [don't] like cold water.",
    "We need more [informations] before we decide. [Please to send] us the details.",
    "The children [plays] in the park every day. Their parents [is] happy about it.",
    "I [am agree] with you. [It depend] on the weather and on the money.",
    "Last summer we [go] to the mountains. We [stay] there [during two weeks].",
    "I bought [three book] and [a new shoes] in the market.",
    "[She said me] that the meeting [was cancel] because of the rain.",
    "I [have seen] him yesterday at the station. He looked tired and [he say] nothing.",
    "[Is very important] to sleep well. I go to bed at ten [in the night].",
)
VOICES = ("en-us", "en-gb", "en-us+f3", "en-gb-x-rp+m3")
SPEEDS = (140, 175)

_SPAN = re.compile(r"\[([^\]]+)\]")


# Whisper writes small numbers as digits ("at 8"); that is what was said, not an error.
_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen twenty"
)
_NUMBERS = dict(enumerate(_NUMBER_WORDS.split()))


def _words(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9']+", text.casefold().replace("’", "'"))
    return [_NUMBERS.get(int(w), w) if w.isdigit() else w for w in words]


def plain(text: str) -> str:
    return _SPAN.sub(r"\1", text)


def spans(text: str) -> list[str]:
    return _SPAN.findall(text)


def word_errors(reference: list[str], hypothesis: list[str]) -> int:
    """Levenshtein distance over words (substitutions, insertions, deletions)."""
    row = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        previous, row[0] = row[0], i
        for j, hyp in enumerate(hypothesis, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ref != hyp))
    return row[-1]


def survives(span: str, transcript: str) -> bool:
    needle = " ".join(_words(span))
    return f" {needle} " in f" {' '.join(_words(transcript))} "


def synthesise(text: str, voice: str, speed: int, out: Path) -> None:
    raw = out.with_suffix(".raw.wav")
    subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["sox", str(raw), "-r", "16000", "-c", "1", str(out)], check=True, capture_output=True
    )
    raw.unlink()


def measure(transcribe: Callable[[Path], str], clips: list[tuple[str, Path]]) -> dict[str, float]:
    kept = total = errors = words = repeated = 0
    seconds = audio = 0.0
    for text, clip in clips:
        started = time.perf_counter()
        transcript = transcribe(clip)
        seconds += time.perf_counter() - started
        with wave.open(str(clip)) as recording:
            audio += recording.getnframes() / recording.getframerate()
        reference = _words(plain(text))
        hypothesis = _words(transcript)
        errors += word_errors(reference, hypothesis)
        words += len(reference)
        for span in spans(text):
            total += 1
            kept += survives(span, transcript)
        # An utterance said once must come back once.
        first = " ".join(_words(plain(text).split(".")[0]))
        repeated += " ".join(hypothesis).count(first) > 1
    return {
        "preserved": kept / total,
        "spans": total,
        "wer": errors / words,
        "repeated": repeated,
        "clips": len(clips),
        "rtf": seconds / audio,
    }


def bench_verbatim(model_dir: Path) -> list[str]:
    """Rows for docs/benchmarks.md (empty note when espeak-ng or sox is missing)."""
    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        return ["espeak-ng and sox are needed for this measure (`apt-get install espeak-ng sox`)."]
    from speaking_pipeline.transcription.whisper_local import LocalWhisperTranscriber

    work = Path(tempfile.mkdtemp(prefix="sp-verbatim-"))
    sets: dict[str, list[tuple[str, Path]]] = {}
    for label, texts in (("first 8 texts", TEXTS), ("12 more texts", MORE_TEXTS)):
        clips = sets.setdefault(label, [])
        for text in texts:
            for voice in VOICES:
                for speed in SPEEDS:
                    clip = work / f"{len(clips)}-{label[:5]}.wav"
                    synthesise(plain(text), voice, speed, clip)
                    clips.append((text, clip))
    rescoring = LocalWhisperTranscriber(model_dir, device="cpu")
    greedy_only = LocalWhisperTranscriber(model_dir, device="cpu", rescore=False)
    model = rescoring._get_model()
    greedy_only._model = model  # one model in memory for both
    before_prompt = "Um, so, uh, I mean, like, we, we went there and, um, you know, it was good."

    def previous_settings(clip: Path) -> str:
        segments, _ = model.transcribe(
            str(clip),
            language="en",
            beam_size=2,
            word_timestamps=True,
            vad_filter=True,
            initial_prompt=before_prompt,
        )
        return " ".join(s.text.strip() for s in segments)

    # The first call also encodes the silence the re-scoring compares against: not timed.
    rescoring.transcribe(sets["first 8 texts"][0][1], language="en")
    all_texts = TEXTS + MORE_TEXTS
    rows = [
        f"{len(all_texts)} learner texts with {sum(len(spans(t)) for t in all_texts)} planted "
        f"error spans, spoken by espeak-ng in {len(VOICES)} voices at {len(SPEEDS)} speeds "
        f"({', '.join(map(str, SPEEDS))} words/min): "
        f"{sum(len(c) for c in sets.values())} clips.",
        "",
        "| decoding | texts | planted errors kept verbatim | word error rate "
        "| clips with a repeated sentence | real-time factor |",
        "|---|---|---|---|---|---|",
    ]
    for label, fn in (
        ("previous (prompt, beam 2, conditioned)", previous_settings),
        (
            "greedy, no prompt, unconditioned, checks",
            lambda c: greedy_only.transcribe(c, language="en").text,
        ),
        (
            "same + learner-variant re-scoring (product)",
            lambda c: rescoring.transcribe(c, language="en").text,
        ),
    ):
        for texts_label, clips in sets.items():
            m = measure(fn, clips)
            rows.append(
                f"| {label} | {texts_label} | {m['preserved']:.0%} of {int(m['spans'])} "
                f"| {m['wer']:.1%} | {int(m['repeated'])} of {int(m['clips'])} | {m['rtf']:.2f} |"
            )
    shutil.rmtree(work, ignore_errors=True)
    return rows


if __name__ == "__main__":
    from speaking_pipeline.transcription.model_files import ensure_whisper_base

    target = Path(tempfile.mkdtemp(prefix="sp-whisper-")) / "whisper-base"
    print("\n".join(bench_verbatim(ensure_whisper_base(target))))
