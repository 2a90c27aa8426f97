"""Temporal fluency and lexical diversity measures of one recording (see docs/fluency.md)."""

from __future__ import annotations

from itertools import pairwise

from pydantic import BaseModel, Field

from speaking_pipeline.analysis.tokens import FILLED_PAUSES, word_tokens
from speaking_pipeline.transcription.base import Word

SILENT_PAUSE_SECS = 0.25
MATTR_WINDOW = 50
MTLD_THRESHOLD = 0.72


class FluencyMetrics(BaseModel):
    """None means the measure needs data this recording does not have (timings or duration)."""

    word_count: int = Field(description="Words in the transcript, filled pauses included")
    duration_secs: float | None = None
    speech_rate_wpm: float | None = Field(None, description="Words per minute of total time")
    articulation_rate_wpm: float | None = Field(None, description="Words per minute of phonation")
    phonation_time_ratio: float | None = Field(None, description="Phonation time / total time")
    silent_pauses_per_min: float | None = None
    mean_silent_pause_secs: float | None = None
    filled_pauses_per_min: float | None = None
    mean_length_of_run: float | None = Field(None, description="Words between silent pauses")
    ttr: float | None = Field(None, description="Type-token ratio")
    mattr: float | None = Field(None, description="Moving-average TTR, window 50")
    mtld: float | None = Field(None, description="Measure of textual lexical diversity")


# TTR, MATTR and MTLD are written here rather than taken from `lexicalrichness`: they are a few
# lines each, must use the same tokens as the analyzer, and that package pulls in scipy,
# textblob, pandas and matplotlib.


def ttr(words: list[str]) -> float | None:
    return len(set(words)) / len(words) if words else None


def mattr(words: list[str], window: int = MATTR_WINDOW) -> float | None:
    """Covington & McFall (2010): mean TTR over every window of `window` consecutive tokens."""
    if not words:
        return None
    if len(words) <= window:
        return ttr(words)
    # A running count keeps this linear in the text length.
    counts: dict[str, int] = {}
    for w in words[:window]:
        counts[w] = counts.get(w, 0) + 1
    total = len(counts) / window
    for i in range(window, len(words)):
        leaving, entering = words[i - window], words[i]
        counts[leaving] -= 1
        if counts[leaving] == 0:
            del counts[leaving]
        counts[entering] = counts.get(entering, 0) + 1
        total += len(counts) / window
    return total / (len(words) - window + 1)


def _mtld_pass(words: list[str], threshold: float) -> float:
    factors = 0.0
    types: set[str] = set()
    count = 0
    for w in words:
        count += 1
        types.add(w)
        if len(types) / count <= threshold:
            factors += 1
            types, count = set(), 0
    if count:
        current = len(types) / count
        factors += (1 - current) / (1 - threshold)
    return factors


def mtld(words: list[str], threshold: float = MTLD_THRESHOLD) -> float | None:
    """McCarthy & Jarvis (2010): tokens per factor, averaged over a forward and a backward pass.
    None when no factor completes or partially forms (every token unique)."""
    if not words:
        return None
    values = []
    for sequence in (words, list(reversed(words))):
        factors = _mtld_pass(sequence, threshold)
        if factors <= 0:
            return None
        values.append(len(sequence) / factors)
    return sum(values) / len(values)


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def compute_fluency(
    transcript: str, words: list[Word], duration_secs: float | None
) -> FluencyMetrics:
    """Fluency of one recording. `words` are the transcriber's word timings (may be empty);
    `duration_secs` the length of the audio (falls back to the end of the last word)."""
    # The analyzer's own tokenisation, so counts agree with the rules'; filled pauses carry
    # no lexical content.
    all_tokens = word_tokens(transcript)
    lexical = [t for t in all_tokens if t not in FILLED_PAUSES]
    filled = len(all_tokens) - len(lexical)
    timed = sorted((w for w in words if w.end >= w.start), key=lambda w: w.start)

    total = duration_secs if duration_secs and duration_secs > 0 else None
    if total is None and timed:
        total = timed[-1].end
    minutes = total / 60 if total else None

    metrics = FluencyMetrics(
        word_count=len(all_tokens),
        duration_secs=_round(total),
        speech_rate_wpm=_round(len(all_tokens) / minutes) if minutes else None,
        filled_pauses_per_min=_round(filled / minutes) if minutes else None,
        ttr=_round(ttr(lexical)),
        mattr=_round(mattr(lexical)),
        mtld=_round(mtld(lexical)),
    )
    if not timed or not minutes or total is None:
        return metrics

    pauses = [
        nxt.start - prev.end
        for prev, nxt in pairwise(timed)
        if nxt.start - prev.end >= SILENT_PAUSE_SECS
    ]
    speaking_span = timed[-1].end - timed[0].start
    phonation = max(0.0, speaking_span - sum(pauses))
    metrics.silent_pauses_per_min = _round(len(pauses) / minutes)
    metrics.mean_silent_pause_secs = _round(sum(pauses) / len(pauses)) if pauses else None
    metrics.phonation_time_ratio = _round(min(1.0, phonation / total))
    metrics.articulation_rate_wpm = _round(len(timed) / (phonation / 60)) if phonation else None
    metrics.mean_length_of_run = _round(len(timed) / (len(pauses) + 1))
    return metrics
