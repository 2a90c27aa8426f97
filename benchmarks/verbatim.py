"""Do learner errors survive transcription? Synthesised speech with planted error spans.

Each text below (written for this benchmark) contains learner errors, marked [like this]. It
is spoken by espeak-ng in several voices and at several speeds, transcribed by the local
Whisper model, and we count the planted spans that come back word for word, plus the word
error rate against the text as written. The same clips are also decoded with the settings
used before (prompt, beam 2, conditioning on previous text) as a same-run baseline.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
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
VOICES = ("en-us", "en-gb", "en-us+f3", "en-gb-x-rp+m3")
SPEEDS = (140, 175)

_SPAN = re.compile(r"\[([^\]]+)\]")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.casefold().replace("’", "'"))


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
    for text, clip in clips:
        transcript = transcribe(clip)
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
    }


def bench_verbatim(model_dir: Path) -> list[str]:
    """Rows for docs/benchmarks.md (empty note when espeak-ng or sox is missing)."""
    if not (shutil.which("espeak-ng") and shutil.which("sox")):
        return ["espeak-ng and sox are needed for this measure (`apt-get install espeak-ng sox`)."]
    from speaking_pipeline.transcription.whisper_local import LocalWhisperTranscriber

    work = Path(tempfile.mkdtemp(prefix="sp-verbatim-"))
    clips = []
    for n, text in enumerate(TEXTS):
        for voice in VOICES:
            for speed in SPEEDS:
                clip = work / f"{n}-{voice.replace('+', '_')}-{speed}.wav"
                synthesise(plain(text), voice, speed, clip)
                clips.append((text, clip))
    transcriber = LocalWhisperTranscriber(model_dir, device="cpu")
    model = transcriber._get_model()
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

    def current(clip: Path) -> str:
        return transcriber.transcribe(clip, language="en").text

    rows = [
        f"{len(TEXTS)} learner texts with {sum(len(spans(t)) for t in TEXTS)} planted error spans, "
        f"spoken by espeak-ng in {len(VOICES)} voices at {len(SPEEDS)} speeds "
        f"({', '.join(map(str, SPEEDS))} words/min): {len(clips)} clips.",
        "",
        "| decoding | planted errors kept verbatim | word error rate | clips with a repeated sentence |",
        "|---|---|---|---|",
    ]
    for label, fn in (
        ("previous (prompt, beam 2, conditioned)", previous_settings),
        ("verbatim (no prompt, greedy, unconditioned, checks)", current),
    ):
        m = measure(fn, clips)
        rows.append(
            f"| {label} | {m['preserved']:.0%} of {int(m['spans'] * 1)} | {m['wer']:.1%} "
            f"| {int(m['repeated'])} of {int(m['clips'])} |"
        )
    shutil.rmtree(work, ignore_errors=True)
    return rows


if __name__ == "__main__":
    from speaking_pipeline.transcription.model_files import ensure_whisper_base

    target = Path(tempfile.mkdtemp(prefix="sp-whisper-")) / "whisper-base"
    print("\n".join(bench_verbatim(ensure_whisper_base(target))))
