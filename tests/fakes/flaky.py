"""Our own providers for fault injection: a fast transcriber, and wrappers that fail or block.

They implement the Transcriber/Analyzer protocols and are handed to a Dagster run as the
`transcriber` and `analyzer` resources themselves (`provider_resources`)."""

from __future__ import annotations

import hashlib
import threading
import time
from pathlib import Path

from speaking_pipeline.analysis.base import AnalysisError, AnalysisInput, Analyzer, AnalyzerRun
from speaking_pipeline.analysis.heuristic import HeuristicAnalyzer
from speaking_pipeline.transcription.base import (
    Transcriber,
    TranscriptionError,
    TranscriptResult,
    Word,
)

# Learner-like speech with recurring patterns the heuristic analyzer finds.
TRANSCRIPTS = (
    "Um, yesterday I go to the market with my friend, and, uh, we buy many vegetables. "
    "I think the market is very very big and, like, really nice. I think people is very "
    "friendly there. So we walk around and then we eat something, and then we go home, so it "
    "was, um, a good day. Maybe next week I go again, I guess, because the stuff there is "
    "good and, you know, cheap.",
    "Basically my job is, um, interesting. I work in office and I, I write many reports. "
    "My boss depend of me for the numbers, and he don't like mistakes. I think it is good "
    "thing, I think I learn a lot. So, and then, I go home, and then I cook, and then I "
    "sleep. The work is kind of stressful, sort of, but, like, I like it, I mean it is nice.",
    "Last summer we travel to Spain. It was really really hot and, um, we stay in small "
    "hotel near beach. The food was very good, very nice, and the people was friendly. I, I "
    "remember we visit a museum, uh, and the museum was very big. So we walk a lot and then "
    "we was tired. Maybe I go back next year, I suppose.",
)
SECONDS_PER_WORD = 0.4


def transcript_for(audio_path: Path) -> str:
    """One of TRANSCRIPTS, stable per stored object, so sessions differ but reruns agree."""
    digest = hashlib.sha256(str(audio_path).encode()).digest()
    return TRANSCRIPTS[digest[0] % len(TRANSCRIPTS)]


class UnusableTranscriber:
    """For runs that must reuse the stored transcript: any call is a test failure."""

    name = "unusable-fake"

    def transcribe(self, audio_path: Path, *, language: str | None = None) -> TranscriptResult:
        raise TranscriptionError("the transcriber was called on a re-analysis", transient=False)


class FastTranscriber:
    """Returns a fixed learner transcript with word timings, without any model."""

    name = "fast-fake"

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def transcribe(self, audio_path: Path, *, language: str | None = None) -> TranscriptResult:
        if not audio_path.exists():
            raise TranscriptionError(f"no audio at {audio_path.name}", transient=False)
        with self._lock:
            self.calls += 1
        text = transcript_for(audio_path)
        words = [
            Word(word=w, start=i * SECONDS_PER_WORD, end=(i + 1) * SECONDS_PER_WORD)
            for i, w in enumerate(text.split())
        ]
        return TranscriptResult(
            text=text,
            language=language or "en",
            duration_secs=len(words) * SECONDS_PER_WORD,
            words=words,
            model=self.name,
        )


class _Failures:
    """Counts calls; the first `failures` of them (or all, when None) fail."""

    def __init__(self, failures: int | None) -> None:
        self.failures = failures
        self.calls = 0
        self._lock = threading.Lock()

    def next_fails(self) -> bool:
        with self._lock:
            self.calls += 1
            return self.failures is None or self.calls <= self.failures


class FlakyTranscriber:
    """Fails `failures` times (None: always), transiently or not, then delegates."""

    name = "flaky-fake"

    def __init__(
        self, inner: Transcriber, *, failures: int | None, transient: bool, message: str
    ) -> None:
        self.inner = inner
        self.transient = transient
        self.message = message
        self._failures = _Failures(failures)

    @property
    def calls(self) -> int:
        return self._failures.calls

    def transcribe(self, audio_path: Path, *, language: str | None = None) -> TranscriptResult:
        if self._failures.next_fails():
            raise TranscriptionError(self.message, transient=self.transient)
        return self.inner.transcribe(audio_path, language=language)


class FlakyAnalyzer:
    """Fails `failures` times (None: always), transiently or not, then delegates."""

    name = "flaky-fake"

    def __init__(
        self, inner: Analyzer, *, failures: int | None, transient: bool, message: str
    ) -> None:
        self.inner = inner
        self.version = inner.version
        self.transient = transient
        self.message = message
        self._failures = _Failures(failures)

    @property
    def calls(self) -> int:
        return self._failures.calls

    def analyze(self, data: AnalysisInput) -> AnalyzerRun:
        if self._failures.next_fails():
            raise AnalysisError(self.message, transient=self.transient)
        return self.inner.analyze(data)


class FileGate:
    """A meeting point that works across processes: the provider creates `started` and
    waits until `release` exists; the test waits for `started`, acts, creates `release`."""

    def __init__(self, directory: Path, name: str) -> None:
        self.started = directory / f"{name}.started"
        self.release = directory / f"{name}.release"

    def arrive(self, timeout_secs: float = 120.0) -> bool:
        self.started.touch()
        deadline = time.monotonic() + timeout_secs
        while time.monotonic() < deadline:
            if self.release.exists():
                return True
            time.sleep(0.05)
        return False

    def wait_started(self, timeout_secs: float = 60.0) -> None:
        deadline = time.monotonic() + timeout_secs
        while not self.started.exists():
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.started.name} never appeared")
            time.sleep(0.05)

    def open(self) -> None:
        self.release.touch()


class BlockingAnalyzer:
    """Meets the test at `gate` before analysing: a slow model call during which the test
    acts (deletes the session, kills the worker...)."""

    name = "blocking-fake"

    def __init__(self, inner: Analyzer, gate: FileGate) -> None:
        self.inner = inner
        self.version = inner.version
        self.gate = gate

    def analyze(self, data: AnalysisInput) -> AnalyzerRun:
        if not self.gate.arrive():
            raise AnalysisError("blocking analyzer was never released", transient=False)
        return self.inner.analyze(data)


class BlockingTranscriber:
    """Transcribes (the audio is read), then meets the test at `gate` before answering."""

    name = "blocking-fake"

    def __init__(self, inner: Transcriber, gate: FileGate) -> None:
        self.inner = inner
        self.gate = gate

    def transcribe(self, audio_path: Path, *, language: str | None = None) -> TranscriptResult:
        result = self.inner.transcribe(audio_path, language=language)
        if not self.gate.arrive():
            raise TranscriptionError("blocking transcriber was never released", transient=False)
        return result


class RevisedAnalyzer:
    """A new analyzer version whose output differs: the inner analysis minus its last
    insight, recorded under `version`."""

    name = "revised-fake"

    def __init__(self, inner: Analyzer, *, version: str) -> None:
        self.inner = inner
        self.version = version
        self.calls = 0

    def analyze(self, data: AnalysisInput) -> AnalyzerRun:
        self.calls += 1
        run = self.inner.analyze(data)
        kept = run.analysis.insights[:-1] or run.analysis.insights
        analysis = run.analysis.model_copy(update={"insights": kept})
        return AnalyzerRun(analysis=analysis, analyzer_version=self.version)


def transcriber_from_spec(spec: str) -> Transcriber:
    """Providers named in a string, for run workers in other processes: `fast`,
    `unusable`, `gate:<dir>:<name>`."""
    kind, _, rest = spec.partition(":")
    if kind == "fast":
        return FastTranscriber()
    if kind == "unusable":
        return UnusableTranscriber()
    if kind == "gate":
        directory, name = rest.rsplit(":", 1)
        return BlockingTranscriber(FastTranscriber(), FileGate(Path(directory), name))
    raise ValueError(f"unknown transcriber spec {spec!r}")


def analyzer_from_spec(spec: str) -> Analyzer:
    """`heuristic`, `revised:<version>`, `gate:<dir>:<name>`."""
    kind, _, rest = spec.partition(":")
    if kind == "heuristic":
        return HeuristicAnalyzer()
    if kind == "revised":
        return RevisedAnalyzer(HeuristicAnalyzer(), version=rest)
    if kind == "gate":
        directory, name = rest.rsplit(":", 1)
        return BlockingAnalyzer(HeuristicAnalyzer(), FileGate(Path(directory), name))
    raise ValueError(f"unknown analyzer spec {spec!r}")


def provider_resources(
    transcriber: Transcriber | None = None, analyzer: Analyzer | None = None
) -> dict[str, object]:
    """Resource overrides for `execute_in_process(resources=...)`: the fast transcriber and
    the heuristic analyzer unless others are given."""
    # The assets take ResourceParam[Transcriber] / ResourceParam[Analyzer]: Dagster hands a
    # plain object given as a resource to them as it is.
    return {
        "transcriber": transcriber or FastTranscriber(),
        "analyzer": analyzer or HeuristicAnalyzer(),
    }
